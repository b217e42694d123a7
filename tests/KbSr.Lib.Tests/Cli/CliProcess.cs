using System.Diagnostics;

namespace KbSr.Tests.Cli;

/// <summary>Runs the `kbsr` CLI (kbsr.dll sits next to the tests: the test project references the CLI) in a
/// fresh process, with <c>KBSR_DATA</c> pointing at the test datasets when they are there (tests that need them call
/// <see cref="TestSetup.RequireDataRoot"/> first) unless the arguments name a root.</summary>
internal static class CliProcess
{
    public static Process Start(params string[] arguments) => Start(arguments, []);

    /// <summary>As <see cref="Start(string[])"/>, with extra environment variables.</summary>
    public static Process Start(string[] arguments, (string Name, string Value)[] environment)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "kbsr.dll"));
        foreach (string a in arguments) psi.ArgumentList.Add(a);
        if (TestSetup.FindDataRoot() is { } root) psi.Environment["KBSR_DATA"] = root;
        foreach (var (name, value) in environment) psi.Environment[name] = value;
        return Process.Start(psi)!;
    }

    /// <summary>Runs to completion (killed after <paramref name="timeoutSeconds"/>): exit code and both streams.</summary>
    public static Task<(int Code, string Stdout, string Stderr)> RunAsync(string[] arguments, int timeoutSeconds = 900) =>
        RunAsync(arguments, [], timeoutSeconds);

    /// <summary>As <see cref="RunAsync(string[], int)"/>, with extra environment variables.</summary>
    public static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string[] arguments, (string Name, string Value)[] environment,
                                                                               int timeoutSeconds = 900)
    {
        using var process = Start(arguments, environment);
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kbsr {string.Join(' ', arguments)} did not finish in {timeoutSeconds} s");
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
