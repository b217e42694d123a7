using System.Diagnostics;
using Xunit.Abstractions;

namespace KbSr.Tests.Cli;

/// <summary>
/// README's install: <c>dotnet pack lib/KbSr.Cli</c> makes a .NET tool that installs into a clean tool path and runs
/// from there, TorchSharp's native libraries and the libstdc++ step included (<c>kbsr runtime</c> loads torch).
/// </summary>
[Trait("Category", "Packaging")]
public class ToolPackagingTests(ITestOutputHelper output)
{
    [Fact]
    public void PackedTool_InstallsIntoACleanToolPath_AndRuns()
    {
        string repo = TestSetup.RepoRoot;
        // The configuration these tests were built in (bin/Release/… or bin/Debug/…); the CLI was built alongside.
        string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        string root = Path.Combine(Path.GetTempPath(), $"kbsr-tool-{Guid.NewGuid():N}");
        string packages = Path.Combine(root, "packages"), tools = Path.Combine(root, "tools");
        try
        {
            var (code, text) = Dotnet(["pack", Path.Combine(repo, "lib", "KbSr.Cli"), "-c", configuration, "--no-build", "-o", packages], repo);
            Assert.True(code == 0, "dotnet pack failed: " + text);
            Assert.Single(Directory.GetFiles(packages, "kbsr.*.nupkg"));

            (code, text) = Dotnet(["tool", "install", "--tool-path", tools, "--add-source", packages, "--ignore-failed-sources", "kbsr"], root);
            Assert.True(code == 0, "dotnet tool install failed: " + text);
            string kbsr = Path.Combine(tools, OperatingSystem.IsWindows() ? "kbsr.exe" : "kbsr");
            Assert.True(File.Exists(kbsr), $"{kbsr} was not installed");

            (code, text) = Run(kbsr, ["--help"], root);
            Assert.True(code == 0, "kbsr --help: " + text);
            foreach (string command in new[] { "demo", "train", "eval", "notebook", "data" }) Assert.Contains(command, text);

            // torch loads from the tool's own folder (native libraries packed, libstdc++ step applied where needed).
            (code, text) = Run(kbsr, ["runtime"], root);
            output.WriteLine(text);
            Assert.True(code == 0, "kbsr runtime: " + text);
            Assert.Contains("torch ok", text);
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    private static (int Code, string Output) Dotnet(string[] args, string workingDirectory) => Run("dotnet", args, workingDirectory);

    private static (int Code, string Output) Run(string file, string[] args, string workingDirectory)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        foreach (string a in args) info.ArgumentList.Add(a);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{file} {string.Join(' ', args)}: timed out after 10 minutes");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
