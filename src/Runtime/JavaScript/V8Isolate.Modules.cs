using System.Text.Json;
using Granary.Functions;
using Granary.Runtime.Execution;
using Microsoft.ClearScript;
using Microsoft.ClearScript.JavaScript;

namespace Granary.Runtime.JavaScript;

/// <summary>ES modules: a function written as one, and <c>import</c> from any code (see <see cref="ModuleLoader"/>).</summary>
public sealed partial class V8Isolate
{
    // Imports the function's module and hands its namespace back as the module's result: when the module (or one it
    // imports) awaits at top level, Evaluate returns a promise of it instead.
    private const string EntrySource = "import * as namespace from '" + ModuleLoader.FunctionSpecifier + "';\nimport.meta.setResult(namespace);\n";

    private ModuleLoader? _modules;
    private ScriptObject? _configure;
    private ScriptObject? _loadModule;
    private ScriptObject? _builtinShim;
    private ScriptObject? _packageShim;
    private TaskCompletionSource<CodeError?>? _pendingLoad;

    // On the isolate's thread, once the bootstrap has run: imports resolve through the isolate's own loader.
    private void StartModules(ScriptObject internals, ScriptObject get)
    {
        _configure = (ScriptObject)get.Invoke(false, internals, "configure");
        _loadModule = (ScriptObject)get.Invoke(false, internals, "loadModule");
        _builtinShim = (ScriptObject)get.Invoke(false, internals, "builtinShim");
        _packageShim = (ScriptObject)get.Invoke(false, internals, "packageShim");
        _modules = new ModuleLoader(this, _host);
        _engine!.DocumentSettings = new DocumentSettings { Loader = _modules };
    }

    /// <summary>Gets the module of a Node built-in or a Granary module (a <c>{source, exports}</c> object), or null for any other specifier.</summary>
    internal ScriptObject? BuiltinShim(string specifier) => Shim(_builtinShim!, specifier) as ScriptObject;

    /// <summary>Gets the module of a CommonJS or JSON file of the function's packages (a <c>{source, exports}</c> object).</summary>
    internal ScriptObject PackageShim(string path) => (ScriptObject)Shim(_packageShim!, path);

    // What the bootstrap threw (a built-in that is not allowed, a package that throws as it loads) reaches the importer as
    // an error with the same message; V8 would otherwise see the host's wrapper, its message prefixed a second time.
    private static object Shim(ScriptObject shim, string argument)
    {
        try
        {
            return shim.Invoke(false, argument);
        }
        catch (ScriptEngineException ex) when (ex.ScriptExceptionAsObject is ScriptObject error && error.GetProperty("message") is string message)
        {
            // Not wrapped: ClearScript words the importer's error after the innermost exception.
            throw new InvalidOperationException(message);
        }
    }

    /// <summary>Compiles a CommonJS file of the function's packages as the function's own code is wrapped; returns the module function.</summary>
    internal object CompilePackageFile(string path, string body) => _engine!.Evaluate(new DocumentInfo(path), ModulePrefix + body + "\n})");

    /// <summary>The function's ES module finished loading after a top-level await: <paramref name="json"/> is the outcome.</summary>
    internal void OnModuleLoaded(string json)
    {
        if (_pendingLoad is { } pending)
        {
            _pendingLoad = null;
            SampleHeap();
            pending.TrySetResult(Outcome(json, _modules?.Function?.Info.Name ?? "", 0));
        }
    }

    // On the isolate's thread: compiles the function's module (a syntax error is a compile error, with its line), then
    // evaluates it with everything it imports and binds its exports to the signature's adapter.
    private void LoadModule(string code, FunctionMeta meta, TaskCompletionSource<CodeError?> result)
    {
        var info = _modules!.SetFunction(meta.Name, code);
        try
        {
            // Compiled once: the entry's import finds this very module in V8's cache (same document, same code).
            _engine!.Compile(info, code).Dispose();
        }
        catch (ScriptEngineException ex) when (!IsMemoryFault(ex))
        {
            var (line, column) = FindPosition(ex.ErrorDetails, info.Name, 0);
            result.TrySetResult(new CodeError(CodeErrorKinds.Compile, ex.Message, line, column));
            return;
        }

        _configure!.Invoke(false, JsonSerializer.Serialize(meta, ExecutionJsonContext.Default.FunctionMeta));
        object evaluated;
        try
        {
            evaluated = _engine.Evaluate(new DocumentInfo(ModuleLoader.EntryName) { Category = ModuleCategory.Standard }, EntrySource);
        }
        catch (ScriptEngineException ex) when (!IsMemoryFault(ex))
        {
            var (line, column) = FindPosition(ex.ErrorDetails, info.Name, 0);
            result.TrySetResult(new CodeError(CodeErrorKinds.Load, ex.Message, line, column));
            return;
        }

        _pendingLoad = result;
        if (_loadModule!.Invoke(false, evaluated) is string outcome)
        {
            _pendingLoad = null;
            SampleHeap();
            result.TrySetResult(Outcome(outcome, info.Name, 0));
        }
    }

    // A function written as an ES module (declared, or detected from its code when it was deployed).
    private static bool IsModule(FunctionMeta meta) => meta.Module == FunctionModules.Esm;
}
