using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace KbSr.Runtime;

/// <summary>
/// Makes TorchSharp 0.107's native library load on Linux systems whose libstdc++ is older than the
/// one it was built with (Debian 12, Ubuntu 22.04: GLIBCXX_3.4.30). See docs/design.md §3.1.
/// <para>
/// <c>libLibTorchSharp.so</c> needs <c>GLIBCXX_3.4.32</c> for a single symbol,
/// <c>_ZSt21ios_base_library_initv</c>, a marker that GCC 13's &lt;iostream&gt; references and never
/// calls. We write a copy of the library, once, into a per-user cache with that need marked weak
/// (<c>VER_FLG_WEAK</c>), load it, and route TorchSharp's imports of <c>LibTorchSharp</c> to it.
/// </para>
/// Set <c>KBSR_NO_LIBSTDCXX_COMPAT=1</c> to turn this off.
/// </summary>
public static class LibStdCxxCompat
{
    public const string DisableVariable = "KBSR_NO_LIBSTDCXX_COMPAT";
    public const string CacheVariable = "KBSR_CACHE";

    /// <summary>Versions we know to be safe to weaken: each guards only a marker symbol that is never called.</summary>
    public static readonly IReadOnlySet<string> WeakenableVersions = new HashSet<string> { "GLIBCXX_3.4.32" };

    private static readonly Lock Gate = new();
    private static CompatResult? _result;
    private static nint _patchedHandle;

    /// <summary>What <see cref="Apply"/> decided.</summary>
    public sealed record CompatResult(bool Patched, string Message, string? PatchedPath = null);

    /// <summary>Applies the compatibility step if this process needs it. Idempotent and thread-safe;
    /// must run before TorchSharp's first call.</summary>
    public static CompatResult Apply(Action<string>? log = null)
    {
        lock (Gate)
        {
            if (_result is not null) return _result;
            _result = Decide(log ?? (m => Console.Error.WriteLine(m)));
            return _result;
        }
    }

    private static CompatResult Decide(Action<string> log)
    {
        if (!OperatingSystem.IsLinux()) return new(false, "not Linux: nothing to do");
        if (Environment.GetEnvironmentVariable(DisableVariable) is "1" or "true")
            return new(false, $"{DisableVariable} is set: compatibility step turned off");

        string? torchSharpLib = FindNativeLibrary("libLibTorchSharp.so");
        string? libtorch = FindNativeLibrary("libtorch.so");
        if (torchSharpLib is null || libtorch is null)
            return new(false, "TorchSharp's native libraries not found next to the application: left to TorchSharp");

        string? libstdcxx = FindLoadedOrSystemLibStdCxx();
        if (libstdcxx is null) return new(false, "system libstdc++.so.6 not found: left to TorchSharp");

        byte[] original = File.ReadAllBytes(torchSharpLib);
        var defined = ElfVersionNeeds.ReadDefinitions(File.ReadAllBytes(libstdcxx), libstdcxx);
        var missing = ElfVersionNeeds.ReadNeeds(original, torchSharpLib)
            .Where(n => n.Library == "libstdc++.so.6" && !n.IsWeak && !defined.Contains(n.Version))
            .Select(n => n.Version).ToList();
        if (missing.Count == 0) return new(false, $"{libstdcxx} provides every version TorchSharp needs");

        var unsafeToWeaken = missing.Where(v => !WeakenableVersions.Contains(v)).ToList();
        if (unsafeToWeaken.Count > 0)
            throw new PlatformNotSupportedException(
                $"libstdc++ too old: {libstdcxx} lacks {string.Join(", ", unsafeToWeaken)}, which TorchSharp's " +
                $"{Path.GetFileName(torchSharpLib)} really uses. Use a Linux distribution with glibc 2.34+ / GCC 12+ runtime libraries.");

        string patched = WritePatchedCopy(torchSharpLib, original, missing, out bool created);
        NativeLibrary.Load(libtorch); // so the copy's NEEDED libtorch.so resolves to the package's libraries
        _patchedHandle = NativeLibrary.Load(patched);
        NativeLibrary.SetDllImportResolver(typeof(TorchSharp.torch).Assembly, ResolveTorchSharpImport);
        // Expected on Debian 12 / Ubuntu 22.04 and handled here, so it reads as a note (once per machine), not an error.
        string message = $"kbsr note: this system's libstdc++ ({libstdcxx}) lacks the version tags {string.Join(", ", missing)} that " +
                         $"TorchSharp's build names but does not need; using a compatible copy of libLibTorchSharp.so ({patched}). " +
                         $"Nothing to do; shown once. Set {DisableVariable}=1 to turn this off.";
        if (created) log(message); // once per machine and TorchSharp build, not on every start
        return new(true, message, patched);
    }

    private static nint ResolveTorchSharpImport(string name, Assembly assembly, DllImportSearchPath? path) =>
        name is "LibTorchSharp" or "libLibTorchSharp" or "libLibTorchSharp.so" ? _patchedHandle : 0;

    /// <summary>Writes (once per distinct input) the patched copy into the per-user cache, atomically.</summary>
    internal static string WritePatchedCopy(string source, byte[] original, IReadOnlyList<string> versions, out bool created)
    {
        created = false;
        string hash = Convert.ToHexString(SHA256.HashData(original))[..16].ToLowerInvariant();
        string dir = Path.Combine(CacheRoot(), "native", hash);
        string target = Path.Combine(dir, Path.GetFileName(source));
        if (File.Exists(target)) return target;
        Directory.CreateDirectory(dir);
        byte[] copy = (byte[])original.Clone();
        foreach (var v in versions) ElfVersionNeeds.MarkWeak(copy, "libstdc++.so.6", v, source);
        string temp = target + $".tmp-{Environment.ProcessId}";
        File.WriteAllBytes(temp, copy);
        File.Move(temp, target, overwrite: true);
        created = true;
        return target;
    }

    /// <summary>Per-user cache: <c>KBSR_CACHE</c>, else <c>$XDG_CACHE_HOME/kbsr</c>, else <c>~/.cache/kbsr</c>.</summary>
    public static string CacheRoot()
    {
        string? explicitRoot = Environment.GetEnvironmentVariable(CacheVariable);
        if (!string.IsNullOrEmpty(explicitRoot)) return explicitRoot;
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string baseDir = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(string.IsNullOrEmpty(home) ? Path.GetTempPath() : home, ".cache");
        return Path.Combine(baseDir, "kbsr");
    }

    /// <summary>Where the runtime would look for TorchSharp's native files: the app folder, its
    /// runtimes/RID/native folder, and the folder of TorchSharp.dll.</summary>
    public static string? FindNativeLibrary(string fileName)
    {
        var dirs = new List<string> { AppContext.BaseDirectory };
        string? torchDir = Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location);
        if (!string.IsNullOrEmpty(torchDir)) dirs.Add(torchDir);
        foreach (var d in dirs.ToList()) dirs.Add(Path.Combine(d, "runtimes", RuntimeInformation.RuntimeIdentifier, "native"));
        foreach (var d in dirs.ToList()) dirs.Add(Path.Combine(d, "runtimes", "linux-x64", "native"));
        // NATIVE_DLL_SEARCH_DIRECTORIES holds the package folders when running from a deps.json (e.g. tests).
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searchDirs)
            dirs.AddRange(searchDirs.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        return dirs.Select(d => Path.Combine(d, fileName)).FirstOrDefault(File.Exists);
    }

    /// <summary>The libstdc++.so.6 this process uses: loaded by its bare name (so the dynamic
    /// loader's own search decides), then located through /proc/self/maps.</summary>
    public static string? FindLoadedOrSystemLibStdCxx()
    {
        if (!NativeLibrary.TryLoad("libstdc++.so.6", out _)) return null;
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            int at = line.IndexOf('/');
            if (at >= 0 && Path.GetFileName(line[at..]).StartsWith("libstdc++.so.6", StringComparison.Ordinal))
                return line[at..];
        }
        return null;
    }
}
