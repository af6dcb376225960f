// ---------------------------------------------------------------- fs, fs/promises
// A function in the isolate has no file system, but many packages require fs when they load and use it only on
// paths a function never takes (form-data for file streams, ioredis for scripts on disk). So fs loads, with Node's
// names and constants, and each call fails saying why and what to do: synchronous ones throw, callback ones call
// back with the error, promise ones reject; existsSync answers false, as Node's does for what it cannot see. In
// single-function mode (granary serve) the calls that mode offers work, in its working directory (50-module.js).
const builtinFs = builtinOnce(() => {
  const unavailable = (name) => _Object.assign(
    new _Error(`fs.${name}: a function in Granary's isolate runtime has no file system. Deploy it with "isolation": "process" ` +
      'to run it in Node.js itself, with a file system of its own.'),
    { code: 'ERR_ACCESS_DENIED' });
  const names = ['access', 'appendFile', 'chmod', 'chown', 'close', 'copyFile', 'cp', 'exists', 'fchmod', 'fchown', 'fdatasync', 'fstat',
    'fsync', 'ftruncate', 'futimes', 'lchmod', 'lchown', 'link', 'lstat', 'lutimes', 'mkdir', 'mkdtemp', 'open', 'opendir', 'read', 'readdir',
    'readFile', 'readlink', 'readv', 'realpath', 'rename', 'rm', 'rmdir', 'stat', 'statfs', 'symlink', 'truncate', 'unlink', 'utimes', 'write',
    'writeFile', 'writev'];
  const promiseNames = ['access', 'appendFile', 'chmod', 'chown', 'copyFile', 'cp', 'lchmod', 'lchown', 'link', 'lstat', 'lutimes', 'mkdir',
    'mkdtemp', 'open', 'opendir', 'readdir', 'readFile', 'readlink', 'realpath', 'rename', 'rm', 'rmdir', 'stat', 'statfs', 'symlink',
    'truncate', 'unlink', 'utimes', 'watch', 'writeFile'];
  const constants = _freeze({
    UV_FS_SYMLINK_DIR: 1, UV_FS_SYMLINK_JUNCTION: 2, O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, UV_DIRENT_UNKNOWN: 0, UV_DIRENT_FILE: 1,
    UV_DIRENT_DIR: 2, UV_DIRENT_LINK: 3, UV_DIRENT_FIFO: 4, UV_DIRENT_SOCKET: 5, UV_DIRENT_CHAR: 6, UV_DIRENT_BLOCK: 7, S_IFMT: 61440,
    S_IFREG: 32768, S_IFDIR: 16384, S_IFCHR: 8192, S_IFBLK: 24576, S_IFIFO: 4096, S_IFLNK: 40960, S_IFSOCK: 49152, O_CREAT: 64, O_EXCL: 128,
    UV_FS_O_FILEMAP: 0, O_NOCTTY: 256, O_TRUNC: 512, O_APPEND: 1024, O_DIRECTORY: 65536, O_NOATIME: 262144, O_NOFOLLOW: 131072,
    O_SYNC: 1052672, O_DSYNC: 4096, O_DIRECT: 16384, O_NONBLOCK: 2048, S_IRWXU: 448, S_IRUSR: 256, S_IWUSR: 128, S_IXUSR: 64, S_IRWXG: 56,
    S_IRGRP: 32, S_IWGRP: 16, S_IXGRP: 8, S_IRWXO: 7, S_IROTH: 4, S_IWOTH: 2, S_IXOTH: 1, F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1,
    UV_FS_COPYFILE_EXCL: 1, COPYFILE_EXCL: 1, UV_FS_COPYFILE_FICLONE: 2, COPYFILE_FICLONE: 2, UV_FS_COPYFILE_FICLONE_FORCE: 4,
    COPYFILE_FICLONE_FORCE: 4,
  });
  const fs = { constants, F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1 };
  for (const name of names) {
    fs[name] = function (...args) {
      const callback = args[args.length - 1];
      if (typeof callback !== 'function') throw builtinInternals().invalidArgType('cb', 'Function', callback);
      processObject.nextTick(callback, unavailable(name));
    };
    fs[`${name}Sync`] = () => { throw unavailable(`${name}Sync`); };
  }
  fs.existsSync = () => false;
  for (const name of ['createReadStream', 'createWriteStream', 'watch', 'watchFile', 'unwatchFile', 'openAsBlob']) {
    fs[name] = () => { throw unavailable(name); };
  }
  const promises = { constants };
  for (const name of promiseNames) promises[name] = async () => { throw unavailable(`promises.${name}`); };
  fs.promises = promises;
  // Single-function mode's file system replaces what it offers.
  if (fsEnabled) {
    const local = fsModule();
    _Object.assign(fs, local);
    _Object.assign(promises, local.promises);
    fs.promises = promises;
  }
  _freeze(promises);
  return _freeze(fs);
});
