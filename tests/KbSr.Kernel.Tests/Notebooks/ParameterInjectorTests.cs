using System.Text.Json.Nodes;
using KbSr.Kernel.Notebooks;

namespace KbSr.Kernel.Tests.Notebooks;

public class ParameterInjectorTests
{
    private const string Defaults = "var Smoke = false;\nint Steps = 1000;\nstring Weights = \"data/w.bin\";\nvar Rate = 0.5;\nfloat Sigma = 1.5f;\nvar Big = 10L;\nvar Obj = new object();";

    [Fact]
    public void ParseDefaults_DeclaredAndVarLiterals_LearnsTypes()
    {
        var p = ParameterInjector.ParseDefaults(Defaults).ToDictionary(x => x.Name, x => x.Type);
        Assert.Equal("bool", p["Smoke"]);
        Assert.Equal("int", p["Steps"]);
        Assert.Equal("string", p["Weights"]);
        Assert.Equal("double", p["Rate"]);
        Assert.Equal("float", p["Sigma"]);
        Assert.Equal("long", p["Big"]);
        Assert.Null(p["Obj"]);
    }

    [Fact]
    public void BuildInjectedCell_Overrides_WritesTypedAssignments()
    {
        var cell = ParameterInjector.BuildInjectedCell(Defaults, new Dictionary<string, string>
        {
            ["Smoke"] = "True", ["Steps"] = "5", ["Weights"] = "a \"quoted\" path", ["Rate"] = "0.25", ["Sigma"] = "2",
        });
        Assert.Contains("Smoke = true;", cell, StringComparison.Ordinal);
        Assert.Contains("Steps = 5;", cell, StringComparison.Ordinal);
        Assert.Contains("Weights = \"a \\\"quoted\\\" path\";", cell, StringComparison.Ordinal);
        Assert.Contains("Rate = 0.25d;", cell, StringComparison.Ordinal);
        Assert.Contains("Sigma = 2f;", cell, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildInjectedCell_WrongType_NamesParameterTypeAndValue()
    {
        var e = Assert.Throws<ParameterException>(() => ParameterInjector.BuildInjectedCell(Defaults, new Dictionary<string, string> { ["Steps"] = "many" }));
        Assert.Contains("'Steps'", e.Message, StringComparison.Ordinal);
        Assert.Contains("an int", e.Message, StringComparison.Ordinal);
        Assert.Contains("'many'", e.Message, StringComparison.Ordinal);
        Assert.Throws<ParameterException>(() => ParameterInjector.BuildInjectedCell(Defaults, new Dictionary<string, string> { ["Smoke"] = "maybe" }));
        Assert.Throws<ParameterException>(() => ParameterInjector.BuildInjectedCell(Defaults, new Dictionary<string, string> { ["Obj"] = "1" }));
    }

    [Fact]
    public void BuildInjectedCell_UnknownName_RejectedListingKnownNames()
    {
        var e = Assert.Throws<ParameterException>(() => ParameterInjector.BuildInjectedCell(Defaults, new Dictionary<string, string> { ["Stpes"] = "5" }));
        Assert.Contains("unknown parameter 'Stpes'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Steps", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InjectParameters_InsertsTaggedCellAfterParametersCell_ReplacingAnOldOne()
    {
        var cells = new JsonArray(
            new JsonObject { ["cell_type"] = "markdown", ["source"] = "# t" },
            new JsonObject { ["cell_type"] = "code", ["metadata"] = new JsonObject { ["tags"] = new JsonArray("parameters") }, ["source"] = new JsonArray("int Steps = 1;\n") },
            new JsonObject { ["cell_type"] = "code", ["metadata"] = new JsonObject { ["tags"] = new JsonArray("injected-parameters") }, ["source"] = "Steps = 9;" },
            new JsonObject { ["cell_type"] = "code", ["source"] = "Steps" });
        NotebookRunner.InjectParameters(cells, new Dictionary<string, string> { ["Steps"] = "3" }, "t.ipynb");
        Assert.Equal(4, cells.Count);
        Assert.Equal("injected-parameters", cells[2]!["metadata"]!["tags"]![0]!.GetValue<string>());
        Assert.Contains("Steps = 3;", NotebookRunner.Source((JsonObject)cells[2]!), StringComparison.Ordinal);
        Assert.Equal("Steps", NotebookRunner.Source((JsonObject)cells[3]!));
    }

    [Fact]
    public void InjectParameters_NoParametersCell_Rejected()
    {
        var cells = new JsonArray(new JsonObject { ["cell_type"] = "code", ["source"] = "1" });
        Assert.Throws<ParameterException>(() => NotebookRunner.InjectParameters(cells, new Dictionary<string, string> { ["Smoke"] = "true" }, "t.ipynb"));
    }
}
