using System.Diagnostics;
using Xunit.Abstractions;

namespace KbSr.Kernel.Tests;

/// <summary>Paths and external tools the kernel tests need.</summary>
internal static class TestTools
{
    public static string NotebookPath(string name) => Path.Combine(AppContext.BaseDirectory, "Notebooks", name);

    public static string NewTempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "kbsr-kernel-tests-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Debian's python (with jupyter_client, nbclient, nbformat); a pyenv python3 on PATH may lack them.</summary>
    public static string Python => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    /// <summary>Debian's jupyter launcher (its shebang is Debian's python), else whatever is on PATH.</summary>
    public static string Jupyter => File.Exists("/usr/bin/jupyter") ? "/usr/bin/jupyter" : "jupyter";

    /// <summary>
    /// Returns when the Python Jupyter stack is importable. Otherwise the test is reported as skipped with the reason
    /// (it must be a <c>[SkippableFact]</c>), or fails when KBSR_REQUIRE_ALL=1 (CI).
    /// </summary>
    public static void RequireJupyter(ITestOutputHelper output)
    {
        var (code, text) = Run(Python, ["-c", "import nbclient, nbformat, jupyter_client, nbconvert"], null, TimeSpan.FromSeconds(30));
        if (code == 0 && Run(Jupyter, ["nbconvert", "--version"], null, TimeSpan.FromSeconds(30)).Code == 0) return;
        output.WriteLine("python3 with Jupyter missing: " + text);
        Require(false, "python3 with nbclient/nbformat/jupyter_client/nbconvert is not available " +
                       "(apt-get install jupyter-nbconvert python3-nbclient python3-jupyter-client python3-nbformat): " + text);
    }

    /// <summary>Returns when <paramref name="present"/>; otherwise skips the test with <paramref name="reason"/>, or fails
    /// it when KBSR_REQUIRE_ALL=1 (CI runs everything).</summary>
    public static void Require(bool present, string reason)
    {
        if (present) return;
        if (Environment.GetEnvironmentVariable("KBSR_REQUIRE_ALL") == "1")
            Assert.Fail($"{reason} (KBSR_REQUIRE_ALL=1: a missing prerequisite fails the test)");
        throw new SkipException(reason);
    }

    /// <summary>Where <c>dotnet tool install -g</c> puts tools (<c>~/.dotnet/tools</c>).</summary>
    public static string DotNetToolsFolder => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools");

    /// <summary>
    /// Returns when .NET Interactive's Jupyter kernel is installed (<c>dotnet tool install -g Microsoft.dotnet-interactive
    /// --version 1.0.712001 &amp;&amp; dotnet interactive jupyter install</c>); otherwise skips, or fails under KBSR_REQUIRE_ALL=1.
    /// </summary>
    public static void RequireDotNetInteractive()
    {
        string tool = Path.Combine(DotNetToolsFolder, "dotnet-interactive");
        string spec = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share", "jupyter", "kernels", ".net-csharp", "kernel.json");
        Require(File.Exists(tool) && File.Exists(spec),
            $".NET Interactive's Jupyter kernel is not installed ({(File.Exists(tool) ? spec : tool)} missing): " +
            "dotnet tool install -g Microsoft.dotnet-interactive --version 1.0.712001 && dotnet interactive jupyter install");
    }

    public static (int Code, string Output) Run(string file, IEnumerable<string> args, IDictionary<string, string>? env, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) info.Environment[k] = v;
        try
        {
            using var p = Process.Start(info)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeout)) { p.Kill(true); return (-1, "timed out"); }
            return (p.ExitCode, stdout.Result + stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e) { return (-2, e.Message); }
    }
}

internal static class TorchSetup
{
#pragma warning disable CA2255 // torch must be loaded (with the libstdc++ step) before any test touches a tensor
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Initialize() => KbSr.Runtime.TorchRuntime.Initialize();
#pragma warning restore CA2255
}
