using System.Text.Json.Nodes;
using KbSr.Kernel.Execution;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace KbSr.Kernel.Tests.Execution;

[Collection(PlotlySessionCollection.Name)]
public class ScriptEngineTests
{
    private sealed class Sink : IDisplaySink
    {
        public List<(JsonObject Bundle, string Id, bool Update)> Shown { get; } = [];
        public Action? OnDisplay { get; set; }
        public void Display(JsonObject bundle, string displayId, bool update) { Shown.Add((bundle, displayId, update)); OnDisplay?.Invoke(); }
    }

    /// <summary>An engine whose cells interrupt themselves by calling display(…): the interrupt lands once the cell runs.</summary>
    private static ScriptEngine SelfInterruptingEngine()
    {
        var sink = new Sink();
        var engine = new ScriptEngine(sink);
        sink.OnDisplay = engine.Interrupt;
        return engine;
    }

    [Fact]
    public void Execute_InterruptedWhileBlockedInSleep_StopsAndKeepsState()
    {
        var engine = SelfInterruptingEngine();
        Assert.True(engine.Execute("var kept = 41;").Success);
        var r = engine.Execute("display(\"started\");\nThread.Sleep(600_000);\nkept = 0;");
        Assert.Equal("KernelInterrupted", r.ErrorName);
        Assert.Equal(42, engine.Execute("kept + 1").Value);
    }

    [Fact]
    public void Execute_CellThatSwallowsInterrupts_AbandonedWithError_StateOfEarlierCellsKept()
    {
        var engine = SelfInterruptingEngine();
        Assert.True(engine.Execute("var kept = 41;").Success);
        // goto is no loop statement, so no interrupt check is injected: this cell ignores every interrupt.
        var r = engine.Execute("display(\"started\");\nagain: try { Thread.Sleep(600_000); } catch (ThreadInterruptedException) { }\ngoto again;");
        Assert.Equal("KernelInterrupted", r.ErrorName);
        Assert.Contains("abandoned", r.ErrorValue, StringComparison.Ordinal);
        Assert.Equal(42, engine.Execute("kept + 1").Value);
        Assert.Equal(43, engine.Execute("kept += 2; kept").Value);
    }

    [Fact]
    public void Execute_HugeTorchAllocation_OneParagraphMessageWithoutNativeFrames()
    {
        var engine = new ScriptEngine(new Sink());
        // 10^14 float32 elements (400 TB) exceed any address space: the allocation fails at once on every machine.
        var r = engine.Execute("var big = zeros(10_000_000L, 10_000_000L);");
        Assert.False(r.Success);
        Assert.Contains("allocate", r.ErrorValue, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain('\n', r.ErrorValue!);
        foreach (string line in r.Traceback.Prepend(r.ErrorValue!))
        {
            Assert.DoesNotContain("frame #", line, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception raised from", line, StringComparison.Ordinal);
            Assert.DoesNotContain(".so)", line, StringComparison.Ordinal);
        }
        Assert.True(engine.Execute("1").Success);
    }

    [Fact]
    public void Execute_StateAwaitAndDisplay_CarryAcrossCells()
    {
        var sink = new Sink();
        var engine = new ScriptEngine(sink);
        Assert.True(engine.Execute("var x = 20;").Success);
        var r = engine.Execute("await Task.Delay(1);\nx + 22");
        Assert.True(r.Success);
        Assert.Equal(42, r.Value);
        var d = engine.Execute("var h = display(\"a\"); h.Update(\"b\"); h");
        Assert.True(d.Success);
        Assert.False(d.HasValue); // a display handle is not echoed as a result
        Assert.Equal(2, sink.Shown.Count);
        Assert.Equal(sink.Shown[0].Id, sink.Shown[1].Id);
        Assert.True(sink.Shown[1].Update);
        Assert.Equal("b", sink.Shown[1].Bundle["text/plain"]!.GetValue<string>());
    }

    [Fact]
    public void Execute_Errors_NameTheCellLine()
    {
        var engine = new ScriptEngine(new Sink());
        var compile = engine.Execute("var a = 1;\nint b = \"no\";");
        Assert.False(compile.Success);
        Assert.Equal("CompilationError", compile.ErrorName);
        Assert.Contains("line 2", compile.ErrorValue, StringComparison.Ordinal);
        var runtime = engine.Execute("var c = 1;\n\nthrow new ArgumentException(\"bad\");");
        Assert.Equal("ArgumentException", runtime.ErrorName);
        Assert.Equal("bad", runtime.ErrorValue);
        Assert.Contains("line 3", runtime.Traceback[0], StringComparison.Ordinal);
        Assert.True(engine.Execute("int Fail(int k)\n{\n    return 10 / k;\n}").Success);
        var nested = engine.Execute("Fail(0)");
        Assert.Equal("DivideByZeroException", nested.ErrorName);
        Assert.Contains(nested.Traceback, l => l.Contains("in cell 3, line 3", StringComparison.Ordinal)); // defined in the third cell (the failed ones count too)
    }

    [Fact]
    public void Execute_TorchAndLibImportedByDefault()
    {
        var engine = new ScriptEngine(new Sink());
        var r = engine.Execute("arange(4, dtype: float32).sum().item<float>()");
        Assert.True(r.Success, r.ErrorValue);
        Assert.Equal(6f, r.Value);
        Assert.True(engine.Execute("TorchRuntime.SelectDevice(\"cpu\").type.ToString()").Success);
    }

    [Fact]
    public void Execute_RelativePathReference_LoadsAssemblyFromWorkingDirectory()
    {
        string dir = TestTools.NewTempDir();
        var compilation = CSharpCompilation.Create("ProbeLib",
            [CSharpSyntaxTree.ParseText("namespace Probe; public static class Hello { public static string Hi() => \"hi from probe\"; }")],
            [MetadataReference.CreateFromFile(typeof(object).Assembly.Location), MetadataReference.CreateFromFile(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "System.Runtime.dll"))],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Directory.CreateDirectory(Path.Combine(dir, "libs"));
        Assert.True(compilation.Emit(Path.Combine(dir, "libs", "ProbeLib.dll")).Success);
        var engine = new ScriptEngine(new Sink(), dir);
        var r = engine.Execute("#r \"libs/ProbeLib.dll\"\nProbe.Hello.Hi()");
        Assert.True(r.Success, r.ErrorValue);
        Assert.Equal("hi from probe", r.Value);
    }

    [Fact]
    public void Execute_Directives_NoteHostedPackageAndRejectOthers()
    {
        var engine = new ScriptEngine(new Sink());
        var ok = engine.Execute("#!csharp\n#r \"nuget: Plotly.NET, 5.1.0\"\n1");
        Assert.True(ok.Success);
        Assert.Single(ok.Notes);
        var bad = engine.Execute("#r \"nuget: Foo.Bar, 1.0\"");
        Assert.Equal("DirectiveError", bad.ErrorName);
        Assert.Contains("Foo.Bar", bad.ErrorValue, StringComparison.Ordinal);
        Assert.Equal("DirectiveError", engine.Execute("#!pwsh\nls").ErrorName);
    }

    [Fact]
    public void InjectInterruptChecks_KeepsLineCountAndWrapsLoops()
    {
        const string code = "int i = 0;\nwhile (true)\n{\n  i++;\n}\nfor (;;) i++;";
        string rewritten = ScriptEngine.InjectInterruptChecks(code);
        Assert.Equal(code.Split('\n').Length, rewritten.Split('\n').Length);
        Assert.Equal(2, rewritten.Split("CheckInterrupt()").Length - 1);
    }

    [Fact]
    public void Execute_LoopsInsideCellTypesAndLambdas_StillCompileWithInjectedChecks()
    {
        var engine = new ScriptEngine(new Sink());
        var r = engine.Execute("class Acc { public int Sum(int n) { int s = 0; for (int i = 1; i <= n; i++) s += i; return s; } }\n" +
                               "Func<int, int> twice = k => { int t = 0; foreach (var _ in Enumerable.Range(0, 2)) t += k; return t; };\n" +
                               "new Acc().Sum(4) + twice(5)");
        Assert.True(r.Success, r.ErrorValue);
        Assert.Equal(20, r.Value);
    }

    [Fact]
    public void Complete_MembersAfterDot_AndNamesInScope()
    {
        var engine = new ScriptEngine(new Sink());
        engine.Execute("var text = \"abc\";");
        var (matches, start, end) = engine.Complete("text.ToUp", 9);
        Assert.Contains("ToUpper", matches);
        Assert.Equal(5, start);
        Assert.Equal(9, end);
        Assert.Contains("text", engine.Complete("tex", 3).Matches);
        Assert.Contains("WriteLine", engine.Complete("Console.Wri", 11).Matches);
    }

    [Fact]
    public void Inspect_SymbolUnderCursor_SignatureAndType()
    {
        var engine = new ScriptEngine(new Sink());
        engine.Execute("var count = 3;");
        Assert.Equal("int count", engine.Inspect("count", 3));
        Assert.Contains("Math.Max(int val1, int val2)", engine.Inspect("Math.Max(1, 2)", 6), StringComparison.Ordinal);
    }

    [Fact]
    public void IsComplete_OpenBlock_Incomplete()
    {
        Assert.True(ScriptEngine.IsComplete("var a = 1;"));
        Assert.False(ScriptEngine.IsComplete("if (true) {"));
    }
}
