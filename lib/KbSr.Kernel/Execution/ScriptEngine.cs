using System.Diagnostics;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Scripting;

namespace KbSr.Kernel.Execution;

/// <summary>Outcome of one cell.</summary>
public sealed record CellResult(bool Success, object? Value, bool HasValue, string? ErrorName, string? ErrorValue, IReadOnlyList<string> Traceback, IReadOnlyList<string> Notes);

/// <summary>
/// Runs cells with Roslyn scripting (docs/design.md §3.2): each cell continues the previous cell's state, so
/// variables, types and <c>#r</c> references carry over; top-level <c>await</c> works. Loop bodies get an
/// interrupt check injected (on the same line, so line numbers stay those of the cell).
/// </summary>
public sealed class ScriptEngine
{
    private readonly ScriptGlobals _globals;
    private readonly Task<ScriptState<object>> _initial;
    private ScriptOptions _options;
    private ScriptState<object>? _state;
    private int _cellNumber;

    public KernelContext Context { get; }

    public ScriptEngine(IDisplaySink sink, string? workingDirectory = null)
    {
        Runtime.TorchRuntime.Initialize();
        Context = new KernelContext { WorkingDirectory = Path.GetFullPath(workingDirectory ?? Environment.CurrentDirectory) };
        KernelContext.Current = Context;
        _globals = new ScriptGlobals(sink, Context);
        // plotly.js goes out once per session, as its own output before the first chart (PlotlyFormatter).
        Formatting.PlotlyFormatter.NewSession();
        Formatting.PlotlyFormatter.Publish = bundle => sink.Display(bundle, Guid.NewGuid().ToString("N"), update: false);
        _options = CreateOptions(Context.WorkingDirectory);
        // Compiling the first submission loads Roslyn (seconds): start it now, while the client connects.
        _initial = Task.Run(() => CSharpScript.RunAsync("", _options, _globals, typeof(ScriptGlobals)));
    }

    /// <summary>Namespaces every cell imports.</summary>
    public static IReadOnlyList<string> DefaultImports { get; } = BuildImports();

    private static List<string> BuildImports()
    {
        var imports = new List<string>
        {
            "System", "System.IO", "System.Linq", "System.Collections.Generic", "System.Threading", "System.Threading.Tasks",
            "System.Text", "TorchSharp", "TorchSharp.torch",
        };
        imports.AddRange(typeof(Runtime.TorchRuntime).Assembly.GetTypes()
            .Where(t => t.IsPublic && t.Namespace is not null && t.Namespace.StartsWith("KbSr", StringComparison.Ordinal))
            .Select(t => t.Namespace!).Distinct().Order(StringComparer.Ordinal));
        return imports;
    }

    private static ScriptOptions CreateOptions(string baseDirectory)
    {
        var assemblies = new[]
        {
            typeof(object).Assembly, typeof(Enumerable).Assembly, typeof(TorchSharp.torch).Assembly,
            typeof(Runtime.TorchRuntime).Assembly, typeof(Plotly.NET.GenericChart).Assembly,
            typeof(Plotly.NET.CSharp.Chart).Assembly, typeof(Microsoft.FSharp.Core.FSharpOption<>).Assembly,
            typeof(ScriptGlobals).Assembly, typeof(System.Text.Json.JsonSerializer).Assembly,
        }.Concat(AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsDynamic && a.Location.Length > 0))
         .Distinct();
        var imports = DefaultImports;
        return ScriptOptions.Default
            .WithReferences(assemblies)
            .WithImports(imports)
            .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(baseDirectory))
            .WithSourceResolver(ScriptSourceResolver.Default.WithBaseDirectory(baseDirectory))
            .WithEmitDebugInformation(true)
            .WithFileEncoding(System.Text.Encoding.UTF8)
            .WithLanguageVersion(LanguageVersion.Preview)
            .WithOptimizationLevel(OptimizationLevel.Debug);
    }

    /// <summary>Interrupts the running cell (what the kernel does on interrupt_request).</summary>
    public void Interrupt() => Context.Cancel();

    /// <summary>Blocks until Roslyn is loaded (the first compile).</summary>
    public void WarmUp() => _state ??= _initial.GetAwaiter().GetResult();

    /// <summary>How long an interrupted cell may take to stop by itself (loops stop at their next iteration)
    /// before its thread is interrupted, and how long after that before it is abandoned.</summary>
    public static readonly TimeSpan CooperativeGrace = TimeSpan.FromSeconds(1), InterruptGrace = TimeSpan.FromSeconds(2);

    /// <summary>Runs one cell. Exceptions of the cell become a failed <see cref="CellResult"/>.
    /// <paramref name="label"/> is the number errors name the cell by (the kernel passes the execution count);
    /// by default cells are numbered 1, 2, … in the order run.</summary>
    /// <remarks>The cell runs on a <see cref="CellThread"/> while this thread waits. After an <see cref="Interrupt"/>
    /// the cell gets <see cref="CooperativeGrace"/> to stop; then its thread is interrupted (ends Sleep, Wait,
    /// Join, lock waits), and after <see cref="InterruptGrace"/> more a cell still running (native code, a
    /// swallowed interrupt) is abandoned: it fails with KernelInterrupted, the state of the cells before it is kept,
    /// and the next cell runs on a new thread.</remarks>
    public CellResult Execute(string code, int? label = null)
    {
        WarmUp();
        ++_cellNumber;
        int cell = label ?? _cellNumber;
        Context.ResetIfCancelled();
        var token = Context.Cancellation;
        Directives.Result processed;
        try { processed = Directives.Process(code); }
        catch (DirectiveException e) { return Failure("DirectiveError", e.Message, [$"Cell {cell}, {e.Message}"], []); }

        string source = InjectInterruptChecks(processed.Code);
        var options = _options.WithFilePath($"cell{cell}");
        var previous = _state!;
        (ScriptState<object>? State, CellResult Result) outcome = default;
        var done = new ManualResetEventSlim(); // not disposed: an abandoned cell still sets it
        var thread = _cellThread ??= new CellThread();
        thread.Post(() =>
        {
            try { outcome = Run(previous, source, options, cell, processed.Notes, token); }
            catch (Exception e) { outcome = (null, RuntimeFailure(e, cell, processed.Notes)); }
            finally
            {
                // Live charts of this cell get their static image now that it has ended (ScriptGlobals.FinishCell).
                try { _globals.FinishCell(); }
                catch (Exception e) { Console.Error.WriteLine($"kbsr-kernel: finishing the cell's live outputs failed: {e.Message}"); }
                done.Set();
            }
        });

        try { done.Wait(token); }
        catch (OperationCanceledException) { }
        if (!done.IsSet && !done.Wait(CooperativeGrace))
        {
            thread.InterruptAndRetire();
            _cellThread = null;
            if (!done.Wait(InterruptGrace))
                return Failure("KernelInterrupted",
                    "the cell was interrupted but did not stop (it is in a call that cannot be interrupted, e.g. native code, or it " +
                    "catches the interrupt), so it was abandoned and may go on in the background; the variables of earlier cells are kept",
                    [$"Cell {cell}"], processed.Notes);
        }
        if (outcome.State is not null) _state = outcome.State;
        return outcome.Result!;
    }

    private CellThread? _cellThread;

    /// <summary>One cell on the cell thread: the new state (null when the cell did not complete) and its result.</summary>
    private (ScriptState<object>? State, CellResult Result) Run(ScriptState<object> previous, string source, ScriptOptions options,
        int cell, IReadOnlyList<string> notes, CancellationToken token)
    {
        try
        {
            var task = previous.ContinueWithAsync(source, options, _ => true, token);
            // Waiting with the token lets an interrupt abandon a cell that is awaiting something long.
            try { task.Wait(token); }
            catch (AggregateException e) when (e.InnerExceptions.Count == 1)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
            }
            var state = task.GetAwaiter().GetResult();
            if (state.Exception is { } ex) return (state, RuntimeFailure(ex, cell, notes));
            var value = state.ReturnValue;
            return (state, new CellResult(true, value, value is not null and not DisplayHandle, null, null, [], notes));
        }
        catch (CompilationErrorException e)
        {
            var lines = e.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d =>
            {
                var span = d.Location.GetLineSpan();
                int line = span.StartLinePosition.Line + 1, col = span.StartLinePosition.Character + 1;
                return $"Cell {cell}, line {line}, column {col}: {d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
            }).ToList();
            return (null, Failure("CompilationError", string.Join("; ", lines), lines, notes));
        }
        catch (Exception e) when (e is OperationCanceledException or ThreadInterruptedException)
        {
            return (null, RuntimeFailure(e, cell, notes));
        }
    }

    private static CellResult Failure(string name, string value, List<string> traceback, IReadOnlyList<string> notes) =>
        new(false, null, false, name, value, traceback, notes);

    private CellResult RuntimeFailure(Exception ex, int cell, IReadOnlyList<string> notes)
    {
        if (ex is AggregateException { InnerExceptions.Count: 1 } agg) ex = agg.InnerException!;
        bool interrupted = ex is OperationCanceledException or ThreadInterruptedException && Context.Cancellation.IsCancellationRequested;
        string name = interrupted ? "KernelInterrupted" : ex.GetType().Name;
        string message = interrupted ? "the cell was interrupted" : ErrorText.WithoutNativeFrames(ex.Message);
        var cellLines = new StackTrace(ex, true).GetFrames()
            .Where(f => Path.GetFileName(f.GetFileName()) == $"cell{cell}" && f.GetFileLineNumber() > 0)
            .Select(f => f.GetFileLineNumber()).ToList();
        var traceback = new List<string>();
        traceback.Add(cellLines.Count > 0 ? $"Cell {cell}, line {cellLines[^1]}" : $"Cell {cell}");
        traceback.Add($"{ex.GetType().FullName}: {message}");
        foreach (var frame in (ex.StackTrace ?? "").Split('\n').Select(l => l.TrimEnd()))
        {
            if (frame.Length == 0 || frame.Contains("Microsoft.CodeAnalysis.Scripting", StringComparison.Ordinal)
                || frame.Contains("System.Runtime.CompilerServices", StringComparison.Ordinal)
                || frame.StartsWith("--- End of stack trace", StringComparison.Ordinal)) continue;
            // Frames of this or earlier cells (methods defined there) name the cell and line.
            traceback.Add(System.Text.RegularExpressions.Regex.Replace(frame, @" in \S*cell(\d+):line (\d+)", " in cell $1, line $2"));
        }
        return new CellResult(false, null, false, name, message, traceback, notes);
    }

    private static readonly StatementSyntax InterruptCheck =
        SyntaxFactory.ParseStatement("global::KbSr.Kernel.Execution.KernelContext.CheckInterrupt();").WithoutTrivia();

    /// <summary>Adds an interrupt check at the start of every loop body, on the body's own line.</summary>
    public static string InjectInterruptChecks(string code)
    {
        var tree = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Preview, kind: SourceCodeKind.Script));
        if (tree.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error)) return code;
        return new LoopRewriter().Visit(tree.GetRoot()).ToFullString();
    }

    private sealed class LoopRewriter : CSharpSyntaxRewriter
    {
        private static StatementSyntax Wrap(StatementSyntax body) =>
            SyntaxFactory.Block(InterruptCheck, body.WithoutTrivia()).WithTriviaFrom(body);

        public override SyntaxNode? VisitWhileStatement(WhileStatementSyntax node) =>
            ((WhileStatementSyntax)base.VisitWhileStatement(node)!) is var n ? n.WithStatement(Wrap(n.Statement)) : null;
        public override SyntaxNode? VisitDoStatement(DoStatementSyntax node) =>
            ((DoStatementSyntax)base.VisitDoStatement(node)!) is var n ? n.WithStatement(Wrap(n.Statement)) : null;
        public override SyntaxNode? VisitForStatement(ForStatementSyntax node) =>
            ((ForStatementSyntax)base.VisitForStatement(node)!) is var n ? n.WithStatement(Wrap(n.Statement)) : null;
        public override SyntaxNode? VisitForEachStatement(ForEachStatementSyntax node) =>
            ((ForEachStatementSyntax)base.VisitForEachStatement(node)!) is var n ? n.WithStatement(Wrap(n.Statement)) : null;
        public override SyntaxNode? VisitForEachVariableStatement(ForEachVariableStatementSyntax node) =>
            ((ForEachVariableStatementSyntax)base.VisitForEachVariableStatement(node)!) is var n ? n.WithStatement(Wrap(n.Statement)) : null;
    }

    /// <summary>Whether <paramref name="code"/> is a complete submission (for is_complete_request).</summary>
    public static bool IsComplete(string code)
    {
        var tree = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Preview, kind: SourceCodeKind.Script));
        return SyntaxFactory.IsCompleteSubmission(tree);
    }

    /// <summary>Semantic model of <paramref name="code"/> as the next cell (for completion and inspection).</summary>
    private (SemanticModel Model, SyntaxTree Tree)? Analyze(string code)
    {
        if (!_initial.IsCompleted) return null;
        WarmUp();
        var compilation = _state!.Script.ContinueWith(code, _options).GetCompilation();
        var tree = compilation.SyntaxTrees.Last();
        return (compilation.GetSemanticModel(tree), tree);
    }

    /// <summary>Completion candidates at <paramref name="position"/>: members after a dot, else names in scope.</summary>
    public (IReadOnlyList<string> Matches, int Start, int End) Complete(string code, int position)
    {
        position = Math.Clamp(position, 0, code.Length);
        int start = position;
        while (start > 0 && (char.IsLetterOrDigit(code[start - 1]) || code[start - 1] == '_')) start--;
        string prefix = code[start..position];
        var analysis = Analyze(code);
        if (analysis is not { } a) return ([], start, position);
        IEnumerable<ISymbol> symbols;
        if (start > 0 && code[start - 1] == '.')
        {
            var token = a.Tree.GetRoot().FindToken(start - 1);
            if (token.Parent is MemberAccessExpressionSyntax access)
            {
                var info = a.Model.GetSymbolInfo(access.Expression).Symbol;
                var type = a.Model.GetTypeInfo(access.Expression).Type;
                if (info is INamespaceOrTypeSymbol container && info is not ILocalSymbol)
                    symbols = a.Model.LookupSymbols(start, container).Where(s => s.IsStatic || s is INamedTypeSymbol || container is INamespaceSymbol);
                else if (type is not null)
                    symbols = a.Model.LookupSymbols(start, type, includeReducedExtensionMethods: true).Where(s => !s.IsStatic);
                else symbols = [];
            }
            else symbols = [];
        }
        else symbols = a.Model.LookupSymbols(start);
        var matches = symbols.Where(s => s.CanBeReferencedByName && s.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(s => s.Name).Distinct().Order(StringComparer.Ordinal).ToList();
        return (matches, start, position);
    }

    /// <summary>Signature and summary of the symbol under the cursor, or null.</summary>
    public string? Inspect(string code, int position)
    {
        var analysis = Analyze(code);
        if (analysis is not { } a || code.Length == 0) return null;
        var token = a.Tree.GetRoot().FindToken(Math.Clamp(position > 0 && position <= code.Length ? position - 1 : position, 0, code.Length - 1));
        for (var node = token.Parent; node is not null; node = node.Parent)
        {
            var symbol = a.Model.GetSymbolInfo(node).Symbol ?? a.Model.GetDeclaredSymbol(node)
                         ?? a.Model.GetSymbolInfo(node).CandidateSymbols.FirstOrDefault();
            if (symbol is null) { if (node is ExpressionSyntax) continue; break; }
            string text = symbol.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
            if (symbol is ILocalSymbol or IFieldSymbol or IPropertySymbol)
                text = $"{(symbol as ILocalSymbol)?.Type ?? (symbol as IFieldSymbol)?.Type ?? ((IPropertySymbol)symbol).Type} {symbol.Name}";
            string? doc = symbol.GetDocumentationCommentXml();
            if (!string.IsNullOrWhiteSpace(doc))
            {
                var summary = System.Text.RegularExpressions.Regex.Match(doc, "<summary>(.*?)</summary>", System.Text.RegularExpressions.RegexOptions.Singleline);
                if (summary.Success) text += "\n" + System.Text.RegularExpressions.Regex.Replace(summary.Groups[1].Value, "\\s+", " ").Trim();
            }
            return text;
        }
        return null;
    }

    internal static Assembly KernelAssembly => typeof(ScriptEngine).Assembly;
}
