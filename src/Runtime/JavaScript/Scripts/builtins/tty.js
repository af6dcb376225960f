// ---------------------------------------------------------------- tty: a function's output is never a terminal
// Logging libraries (debug, chalk, supports-color) ask isatty before they colour; here the answer is always no.
const builtinTty = builtinOnce(() => {
  const noTerminal = (name) => function () {
    throw _Object.assign(new _Error(`tty.${name}: a function in Granary's isolate runtime has no terminal`), { code: 'ERR_TTY_INIT_FAILED' });
  };
  return _freeze({
    isatty: () => false,
    ReadStream: noTerminal('ReadStream'),
    WriteStream: noTerminal('WriteStream'),
  });
});
