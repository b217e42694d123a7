using System.Diagnostics;

namespace KbSr.Tests.Cli;

/// <summary>Runs the `kbsr` CLI (kbsr.dll sits next to the tests) in a fresh process.</summary>
internal static class CliProcess
{
    public static Process Start(string arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "kbsr.dll");
        var psi = new ProcessStartInfo("dotnet", $"\"{dll}\" {arguments}")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.Environment["KBSR_DATA"] = TestSetup.DataRoot;
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        return Process.Start(psi)!;
    }

    public static (int Code, string Stdout, string Stderr) Run(string arguments, TimeSpan? timeout = null)
    {
        using var p = Start(arguments);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromMinutes(3)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"kbsr {arguments} did not finish in time");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
