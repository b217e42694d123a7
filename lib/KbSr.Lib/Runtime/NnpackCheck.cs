using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace KbSr.Runtime;

/// <summary>
/// Asks libtorch once per process whether NNPACK initialises on this CPU, and turns NNPACK off where it cannot.
/// <para>
/// Where NNPACK's start-up fails (seen on an AMD EPYC VM: "Unsupported hardware"), libtorch retries it on every
/// convolution it considers for NNPACK and logs "Could not initialize NNPACK! …" to stderr each time: tens of lines per
/// command, thousands in a notebook server's log. It then uses its other convolutions, so nothing but the noise
/// changes. Turning NNPACK off (as <c>torch.backends.nnpack</c> does in Python) makes libtorch stop asking. The one
/// probe's own warning is captured, not printed, and its reason is kept for `kbsr runtime`.
/// <c>KBSR_NNPACK=on</c> or <c>off</c> skips the probe.
/// </para>
/// </summary>
public static partial class NnpackCheck
{
    public const string Variable = "KBSR_NNPACK";

    /// <summary>What <see cref="Apply"/> found and did, for `kbsr runtime` and the logs.</summary>
    public static string State { get; private set; } = "not checked";

    /// <summary>True once NNPACK was turned off (because it cannot initialise, or by <c>KBSR_NNPACK=off</c>).</summary>
    public static bool Disabled { get; private set; }

    /// <summary>Runs the probe and acts on it (called by <see cref="TorchRuntime.Initialize"/>).</summary>
    public static void Apply()
    {
        var context = TorchContext.ForStartupCheck(Variable, c => c.TrySetNnpackEnabled(false), out string state, out bool disabled);
        (State, Disabled) = (state, disabled);
        if (context is null) return;
        var (available, logged) = StandardError.Capture(context.NnpackAvailable);
        if (available is null) { State = "not checked (this libtorch does not export the probe)"; return; }
        if (available.Value) { State = "on (it initialises on this CPU)"; return; }
        string reason = Reason().Match(logged) is { Success: true } m ? m.Groups[1].Value.Trim().TrimEnd('.') : "no reason given";
        if (!context.TrySetNnpackEnabled(false))
        {
            State = $"cannot initialise ({reason}), and this libtorch has no switch to stop its warnings";
            return;
        }
        Disabled = true;
        State = $"off: it cannot initialise on this CPU ({reason}); libtorch's other convolutions are used";
    }

    [GeneratedRegex(@"Reason:\s*([^\r\n]*)")]
    private static partial Regex Reason();

    /// <summary>Runs a native call with file descriptor 2 pointed at a temporary file, and returns what it wrote there.
    /// Used once, at start-up, before the process has other threads that write to stderr.</summary>
    private static class StandardError
    {
        public static (T Result, string Written) Capture<T>(Func<T> call)
        {
            if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return (call(), "");
            string path = Path.Combine(Path.GetTempPath(), $"kbsr-stderr-{Environment.ProcessId}-{Guid.NewGuid():N}.log");
            int saved = dup(2);
            if (saved < 0) return (call(), "");
            try
            {
                T result;
                FileStream opened;
                try { opened = new FileStream(path, FileMode.CreateNew, FileAccess.Write); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return (call(), ""); }   // no temp space: uncaptured
                using (var file = opened)
                {
                    if (dup2((int)file.SafeFileHandle.DangerousGetHandle(), 2) < 0) return (call(), "");
                    try { result = call(); }
                    finally { dup2(saved, 2); }
                }
                return (result, File.ReadAllText(path));
            }
            finally
            {
                close(saved);
                try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
    }

    [DllImport("libc", SetLastError = true)] private static extern int dup(int fd);
    [DllImport("libc", SetLastError = true)] private static extern int dup2(int fd, int fd2);
    [DllImport("libc", SetLastError = true)] private static extern int close(int fd);
}
