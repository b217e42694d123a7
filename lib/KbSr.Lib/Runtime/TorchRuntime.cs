using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace KbSr.Runtime;

/// <summary>
/// The one place where the process meets libtorch: native loading (with the Linux compatibility
/// step), device choice, thread count and seeding. Every host (CLI, tests, notebook kernel) calls
/// <see cref="Initialize"/> first; a module initializer calls it too, so library users cannot forget.
/// </summary>
public static class TorchRuntime
{
    public const string DeviceVariable = "KBSR_DEVICE";
    public const string ThreadsVariable = "KBSR_THREADS";

    private static readonly Lock Gate = new();
    private static bool _initialized;

    /// <summary>Result of the libstdc++ compatibility step, once <see cref="Initialize"/> ran.</summary>
    public static LibStdCxxCompat.CompatResult? Compat { get; private set; }

#pragma warning disable CA2255 // deliberate: any use of KbSr.Lib must run the native-loading step before torch's first call
    [ModuleInitializer]
    internal static void InitializeOnLoad()
    {
        try { Initialize(); }
        catch (Exception) { /* reported again, with its message, at the first explicit Initialize */ _initialized = false; }
    }
#pragma warning restore CA2255

    /// <summary>Loads the native backend (once). Throws with an actionable message when it cannot.</summary>
    public static void Initialize(Action<string>? log = null)
    {
        lock (Gate)
        {
            if (_initialized) return;
            NativeHeap.Apply();
            Compat = LibStdCxxCompat.Apply(log);
            try
            {
                InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new InvalidOperationException(
                    $"TorchSharp's native backend failed to load ({Compat.Message}). " +
                    "On Linux this is usually a libstdc++ that is too old; see environment.md. Inner error: " + e.Message, e);
            }
            if (int.TryParse(Environment.GetEnvironmentVariable(ThreadsVariable), out int threads) && threads > 0)
                set_num_threads(threads);
            NnpackCheck.Apply();   // first: where NNPACK cannot start, every convolution (the oneDNN check's too) logs a warning
            OneDnnCheck.Apply();
            _initialized = true;
        }
    }

    /// <summary>
    /// The device to compute on: <paramref name="requested"/> ("cpu", "cuda", "cuda:1"), else
    /// <c>KBSR_DEVICE</c>, else CUDA when available, else CPU.
    /// </summary>
    public static Device SelectDevice(string? requested = null)
    {
        Initialize();
        string? name = !string.IsNullOrWhiteSpace(requested) ? requested : Environment.GetEnvironmentVariable(DeviceVariable);
        if (string.IsNullOrWhiteSpace(name) || name == "auto")
            return cuda.is_available() ? CUDA : CPU;
        name = name.Trim().ToLowerInvariant();
        if (name.StartsWith("cuda", StringComparison.Ordinal) && !cuda.is_available())
            throw new ArgumentException($"device '{name}' requested but CUDA is not available " +
                                        "(this build uses the CPU backend; see environment.md for -p:TorchBackend=cuda)");
        if (name != "cpu" && !name.StartsWith("cuda", StringComparison.Ordinal))
            throw new ArgumentException($"device '{name}': expected cpu, cuda, cuda:N or auto");
        return new Device(name);
    }

    /// <summary>Seeds torch (CPU and CUDA). Components that draw C# random numbers take a
    /// <see cref="Random"/> made by <see cref="Rng"/> from the same seed.</summary>
    public static void Seed(long seed)
    {
        Initialize();
        manual_seed(seed);
        if (cuda.is_available()) cuda.manual_seed_all(seed);
    }

    /// <summary>A C# random source derived from the run's seed and a purpose-specific stream id, so
    /// that adding a new consumer does not shift the numbers another consumer sees.</summary>
    public static Random Rng(long seed, int stream = 0) => new((int)(SplitMix64(SplitMix64((ulong)seed) ^ (ulong)stream) >> 33));

    /// <summary>SplitMix64's finaliser: neighbouring seeds give unrelated streams.</summary>
    internal static ulong SplitMix64(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>A torch generator for <paramref name="device"/> seeded deterministically.</summary>
    public static Generator Generator(long seed, Device? device = null)
    {
        Initialize();
        var g = new Generator((ulong)seed, device ?? CPU);
        return g;
    }
}
