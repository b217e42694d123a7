using System.Diagnostics;
using System.Text.Json.Nodes;

namespace KbSr.Tests.Cli;

/// <summary>
/// `kbsr notebook run` owns its kernel: stopped with SIGTERM it interrupts the running cell, writes the executed copy
/// with what ran and exits 143; killed with SIGKILL, its kernel notices and exits too, taking its connection file
/// (the signing key) with it. Before, the kernel was re-parented to PID 1 and went on running and listening.
/// </summary>
public sealed class NotebookRunStopTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kbsr-nbstop-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A notebook whose first cell writes the kernel's process id to a file, then sleeps for ten minutes.</summary>
    private (string Notebook, string Marker) SleepingNotebook()
    {
        string marker = Path.Combine(_root, "kernel.pid");
        JsonObject Code(string source) => new()
        {
            ["cell_type"] = "code", ["metadata"] = new JsonObject(), ["outputs"] = new JsonArray(), ["execution_count"] = null, ["source"] = source,
        };
        var notebook = new JsonObject
        {
            ["nbformat"] = 4, ["nbformat_minor"] = 5, ["metadata"] = new JsonObject(),
            ["cells"] = new JsonArray(
                Code($"System.IO.File.WriteAllText(@\"{marker}\", System.Environment.ProcessId.ToString()); Console.WriteLine(\"first\");"),
                Code("System.Threading.Thread.Sleep(600_000);"),
                Code("Console.WriteLine(\"never\");")),
        };
        string path = Path.Combine(_root, "sleeper.ipynb");
        File.WriteAllText(path, notebook.ToJsonString());
        return (path, marker);
    }

    private static int WaitForKernel(string marker, Process runner, Task<string> stdout, Task<string> stderr)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(3))
        {
            if (File.Exists(marker) && int.TryParse(File.ReadAllText(marker), out int pid)) return pid;
            if (runner.HasExited) Assert.Fail($"the runner exited early ({runner.ExitCode}): {stdout.Result} {stderr.Result}");
            Thread.Sleep(200);
        }
        throw new TimeoutException("the notebook's first cell did not run within 3 minutes");
    }

    private static bool Gone(int pid, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            if (!Directory.Exists($"/proc/{pid}")) return true;
            Thread.Sleep(100);
        }
        return false;
    }

    [SkippableFact]
    public void Sigterm_InterruptsTheCell_WritesTheExecutedCopy_AndLeavesNoKernel()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "signals and /proc: Linux");
        var (notebook, marker) = SleepingNotebook();
        string output = Path.Combine(_root, "executed.ipynb"), temp = Directory.CreateDirectory(Path.Combine(_root, "tmp")).FullName;
        using var runner = CliProcess.Start(["notebook", "run", notebook, "--out", output], [("TMPDIR", temp)]);
        var (stdout, stderr) = (runner.StandardOutput.ReadToEndAsync(), runner.StandardError.ReadToEndAsync());
        int kernel = WaitForKernel(marker, runner, stdout, stderr);
        Thread.Sleep(500);   // the second cell is running
        Process.Start("kill", ["-TERM", runner.Id.ToString()])!.WaitForExit();
        Assert.True(runner.WaitForExit(TimeSpan.FromSeconds(30)), "the runner did not stop within 30 s of SIGTERM");
        Assert.Equal(143, runner.ExitCode);
        Assert.Contains("stopped by a signal", stderr.Result);
        Assert.True(Gone(kernel, TimeSpan.FromSeconds(10)), $"kernel {kernel} still runs");

        var cells = JsonNode.Parse(File.ReadAllText(output))!["cells"]!.AsArray();
        Assert.Contains("first", cells[0]!["outputs"]!.ToJsonString());
        Assert.Empty(cells[2]!["outputs"]!.AsArray());
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp, "kbsr-kernel-*"));   // the connection file went too
    }

    [SkippableFact]
    public void Sigkill_OfTheRunner_EndsItsKernel_AndRemovesTheConnectionFile()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "signals and /proc: Linux");
        var (notebook, marker) = SleepingNotebook();
        string temp = Directory.CreateDirectory(Path.Combine(_root, "tmp")).FullName;
        using var runner = CliProcess.Start(["notebook", "run", notebook, "--out", Path.Combine(_root, "executed.ipynb")], [("TMPDIR", temp)]);
        var (stdout, stderr) = (runner.StandardOutput.ReadToEndAsync(), runner.StandardError.ReadToEndAsync());
        int kernel = WaitForKernel(marker, runner, stdout, stderr);
        Assert.NotEmpty(Directory.EnumerateFiles(temp, "connection.json", SearchOption.AllDirectories));
        runner.Kill();   // SIGKILL: the runner gets no chance to clean up
        Assert.True(runner.WaitForExit(TimeSpan.FromSeconds(10)));
        Assert.True(Gone(kernel, TimeSpan.FromSeconds(10)), $"kernel {kernel} outlived its runner");
        Assert.Empty(Directory.EnumerateFiles(temp, "connection.json", SearchOption.AllDirectories));
    }
}
