using KbSr.Kernel.Execution;

namespace KbSr.Kernel.Tests.Execution;

public class DirectivesTests
{
    [Fact]
    public void Process_HostedNuGetPackage_BlankedWithNote()
    {
        var r = Directives.Process("#r \"nuget: TorchSharp-cpu, 0.107.0\"\n#r \"nuget:Plotly.NET.Interactive\"\nvar x = 1;");
        Assert.Equal("\n\nvar x = 1;", r.Code);
        Assert.Equal(2, r.Notes.Count);
        Assert.Contains("TorchSharp-cpu", r.Notes[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Process_OtherNuGetPackage_FailsNamingIt()
    {
        var e = Assert.Throws<DirectiveException>(() => Directives.Process("var a = 1;\n#r \"nuget: Newtonsoft.Json, 13.0.1\""));
        Assert.Contains("'Newtonsoft.Json'", e.Message, StringComparison.Ordinal);
        Assert.StartsWith("line 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Process_CsharpMagicIgnored_OtherMagicsFail()
    {
        Assert.Equal("\n1", Directives.Process("#!csharp\n1").Code);
        var e = Assert.Throws<DirectiveException>(() => Directives.Process("#!fsharp\n1"));
        Assert.Contains("#!fsharp", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Process_PathReference_LeftForRoslyn()
    {
        Assert.Equal("#r \"lib/x.dll\"\n1", Directives.Process("#r \"lib/x.dll\"\n1").Code);
    }
}
