// ---------------------------------------------------------------- os: a fixed machine
// Nothing here is read from the silo's machine: the host name, user, interfaces, load and CPUs are the same for every
// function, and the memory is the function's own limit (memoryLimitMb). An isolate runs on one thread, hence one CPU.
const builtinOs = builtinOnce(() => {
  const { nodeError } = builtinInternals();
  const homedir = () => processEnv.HOME || '/home/function';
  const tmpdir = () => {
    let path = processEnv.TMPDIR || processEnv.TMP || processEnv.TEMP || '/tmp';
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
    return path;
  };
  const totalmem = () => functionMemoryLimitMb * 1024 * 1024;
  const cpu = _freeze({ model: 'Granary isolate', speed: 0, times: _freeze({ user: 0, nice: 0, sys: 0, idle: 0, irq: 0 }) });
  return _freeze({
    EOL: '\n',
    devNull: '/dev/null',
    constants: builtinOsConstants(),
    arch: () => processObject.arch,
    machine: () => 'x86_64',
    platform: () => processObject.platform,
    type: () => 'Linux',
    release: () => '6.1.0-granary',
    version: () => '#1 SMP Granary',
    hostname: () => 'localhost',
    homedir,
    tmpdir,
    endianness: () => 'LE',
    availableParallelism: () => 1,
    cpus: () => [{ ...cpu, times: { ...cpu.times } }],
    totalmem,
    freemem: totalmem,
    loadavg: () => [0, 0, 0],
    uptime: () => Math.floor(processObject.uptime()),
    networkInterfaces: () => ({}),
    userInfo: () => ({ uid: 1000, gid: 1000, username: 'function', homedir: homedir(), shell: null }),
    getPriority: () => 0,
    setPriority: () => {
      throw _Object.assign(nodeError(_Error, 'ERR_SYSTEM_ERROR', 'A system error occurred: uv_os_setpriority returned EACCES (permission denied)'),
        { errno: 13, syscall: 'uv_os_setpriority' });
    },
  });
});
