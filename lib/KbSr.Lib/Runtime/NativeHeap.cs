using System.Runtime.InteropServices;
using TorchSharp;

namespace KbSr.Runtime;

/// <summary>
/// Keeps libtorch's large CPU buffers in the process instead of handing them back to the kernel after every op.
/// <para>
/// glibc serves every allocation above 32 MiB with its own <c>mmap</c> and returns it with <c>munmap</c> when freed;
/// the next tensor of that size then page-faults all of its pages in again, zero-filled by the kernel. A 480×320 → ×4
/// Small forward makes hundreds of such tensors (one HR feature map is 157 MiB): measured, 5.3 M page faults and
/// 12.4 s of system time in a 20 s run. With <c>mmap</c> off for the heap and a high trim threshold, freed buffers
/// are reused: 1.0 M faults, 2.7 s system time, network 17.7 → 12.1 s, the output byte-identical (issue 11's
/// note has the commands). Training steps (tensors of a few MiB, under glibc's threshold) are not affected.
/// </para>
/// <para>
/// The cost is memory: freed space stays with the process (up to <see cref="TrimThresholdBytes"/> at the top
/// of the heap) rather than going back to the system, so peak RSS is higher. <c>KBSR_NATIVE_HEAP=system</c> keeps
/// glibc's defaults. Only glibc Linux is changed; elsewhere this does nothing.
/// </para>
/// </summary>
public static class NativeHeap
{
    public const string Variable = "KBSR_NATIVE_HEAP";

    /// <summary>Free space at the heap's top beyond which glibc gives memory back (1 GiB): a whole-image forward
    /// reuses its buffers, and an idle notebook kernel does not sit on many GiB.</summary>
    public const long TrimThresholdBytes = 1L << 30;

    private const int M_TRIM_THRESHOLD = -1;
    private const int M_MMAP_MAX = -4;

    /// <summary>What <see cref="Apply"/> did, for `kbsr runtime`.</summary>
    public static string State { get; private set; } = "not applied";

    /// <summary>Page faults taken by filling a fresh tensor of ¾ of <paramref name="bytes"/> right after a
    /// <paramref name="bytes"/>-byte one was freed: one per 4 KiB page when freed buffers go back to the kernel, near 0
    /// when they are reused (Linux only; -1 elsewhere). ¾, because an aligned allocation of exactly the freed size
    /// needs a little more than the freed chunk. `kbsr runtime` prints it.</summary>
    public static long RefaultPages(long bytes = 256L << 20)
    {
        if (!File.Exists("/proc/self/stat")) return -1;
        long count = bytes / sizeof(float);
        using (torch.NewDisposeScope()) torch.empty(count).fill_(1f);   // fill_ returns a second handle: the scope frees both
        long before = MinorFaults();
        using (torch.NewDisposeScope()) torch.empty(count / 4 * 3).fill_(1f);
        return MinorFaults() - before;
    }

    /// <summary>The process's minor page faults so far (field 10 of /proc/self/stat, counted after the command name).</summary>
    private static long MinorFaults()
    {
        string stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], System.Globalization.CultureInfo.InvariantCulture);   // fields from #3 on
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int MallOpt(int parameter, int value);

    /// <summary>Sets glibc's heap options once, before the first tensor (called by <see cref="TorchRuntime.Initialize"/>).</summary>
    public static void Apply()
    {
        if (!OperatingSystem.IsLinux()) { State = "unchanged (not Linux)"; return; }
        if (string.Equals(Environment.GetEnvironmentVariable(Variable), "system", StringComparison.OrdinalIgnoreCase))
        {
            State = $"glibc defaults ({Variable}=system)";
            return;
        }
        try
        {
            bool ok = MallOpt(M_MMAP_MAX, 0) == 1 & MallOpt(M_TRIM_THRESHOLD, (int)Math.Min(int.MaxValue, TrimThresholdBytes)) == 1;
            State = ok ? "large buffers reused (glibc mmap off, trim at 1 GiB)" : "glibc refused mallopt; defaults kept";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            State = "unchanged (no glibc mallopt: " + e.GetType().Name + ")";   // musl and others
        }
    }
}
