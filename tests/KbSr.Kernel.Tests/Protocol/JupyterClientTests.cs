using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace KbSr.Kernel.Tests.Protocol;

/// <summary>A real Jupyter client (nbconvert/nbclient) drives the installed kernel.</summary>
public class JupyterClientTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void Nbconvert_ExecutesTestNotebook_OutputsAsExpectedAndValid()
    {
        TestTools.RequireJupyter(output);
        string root = TestTools.NewTempDir();
        KernelSpec.Install(Path.Combine(root, "kernels"));
        string nb = Path.Combine(root, "kernel-features.ipynb");
        File.Copy(TestTools.NotebookPath("kernel-features.ipynb"), nb);
        var env = new Dictionary<string, string> { ["JUPYTER_PATH"] = root };
        var (code, text) = TestTools.Run(TestTools.Jupyter, ["nbconvert", "--to", "notebook", "--execute", "--allow-errors",
            "--ExecutePreprocessor.kernel_name=kbsr-csharp", "--ExecutePreprocessor.timeout=120", "--output", "executed.ipynb", nb], env, TimeSpan.FromMinutes(2));
        Assert.True(code == 0, text);
        string executed = Path.Combine(root, "executed.ipynb");
        var cells = JsonNode.Parse(File.ReadAllText(executed))!["cells"]!.AsArray()
            .Where(c => c!["cell_type"]!.GetValue<string>() == "code").ToDictionary(c => c!["id"]!.GetValue<string>(), c => c!["outputs"]!.AsArray());

        // nbformat stores multi-line text as a list of lines.
        static string Text(JsonNode? node) => node is JsonArray lines ? string.Concat(lines.Select(l => l!.GetValue<string>())) : node!.GetValue<string>();
        static string Plain(JsonArray outputs) => Text(outputs.Single(o => o!["output_type"]!.GetValue<string>() == "execute_result")!["data"]!["text/plain"]);
        Assert.Equal("label=default steps=1000 smoke=False rate=0.5\n", Text(cells["state1"][0]!["text"]));
        Assert.Equal("2000", Plain(cells["state1"]));
        Assert.Equal("2001", Plain(cells["state2"]));
        // The session's first chart: plotly.js goes out first as its own output, then the chart (with its static image).
        Assert.StartsWith("(plotly.js ", Text(cells["chart"][0]!["data"]!["text/plain"]), StringComparison.Ordinal);
        var figure = cells["chart"][1]!["data"]!["application/vnd.plotly.v1+json"]!;
        Assert.Equal("[1,4,9]", figure["data"]![0]!["y"]!.ToJsonString());
        Assert.StartsWith("iVBORw0KGgo", Text(cells["image"][0]!["data"]!["image/png"]), StringComparison.Ordinal); // PNG signature in base64
        Assert.Equal("second", Text(cells["display"].Single()!["data"]!["text/plain"])); // updated in place
        Assert.Contains("<td>b</td><td>2</td>", Text(cells["table"][0]!["data"]!["text/html"]), StringComparison.Ordinal);
        var error = cells["error"].Single(o => o!["output_type"]!.GetValue<string>() == "error")!;
        Assert.Equal("InvalidOperationException", error["ename"]!.GetValue<string>());
        Assert.Contains("line 2", Text(error["traceback"]![0]), StringComparison.Ordinal);
        Assert.Equal("2001", Plain(cells["after"])); // state declared before the throw survives

        var (valid, why) = TestTools.Run(TestTools.Python, ["-c", "import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], 4)); print('valid')", executed], null, TimeSpan.FromSeconds(30));
        Assert.True(valid == 0, why);
    }

    [SkippableFact]
    public void KernelRunner_WritesNotebookThatNbformatValidates()
    {
        TestTools.RequireJupyter(output);
        string root = TestTools.NewTempDir();
        string outPath = Path.Combine(root, "out.ipynb");
        var result = KbSr.Kernel.Notebooks.NotebookRunner.Run(new(TestTools.NotebookPath("kernel-features.ipynb"), outPath,
            new Dictionary<string, string> { ["Steps"] = "3" }, TimeSpan.FromSeconds(60)));
        Assert.True(result.Success, result.Message);
        var (valid, why) = TestTools.Run(TestTools.Python, ["-c", "import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], 4))", outPath], null, TimeSpan.FromSeconds(30));
        Assert.True(valid == 0, why);
    }
}
