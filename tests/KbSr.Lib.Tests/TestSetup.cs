using System.Runtime.CompilerServices;
using KbSr.Runtime;

// Tests that seed torch and then build networks (same seed ⇒ same weights, exact resume) read libtorch's one global
// generator; a test class running beside them would draw from it in between. So test classes run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace KbSr.Tests;

/// <summary>Loads the native backend before any test touches torch, and finds the shared datasets.</summary>
internal static class TestSetup
{
#pragma warning disable CA2255 // the test assembly is an application: this is its entry point
    [ModuleInitializer]
    internal static void Init() => TorchRuntime.Initialize();
#pragma warning restore CA2255

    /// <summary>The data root for tests: <c>KBSR_DATA</c>, else <c>../shared/datasets</c> above the repository; null when
    /// neither exists.</summary>
    public static string? FindDataRoot()
    {
        string? env = Environment.GetEnvironmentVariable("KBSR_DATA");
        if (!string.IsNullOrEmpty(env)) return Directory.Exists(env) ? Path.GetFullPath(env) : null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "..", "shared", "datasets");
            if (Directory.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "KbSr.Lib.sln")))
                return Path.GetFullPath(candidate);
        }
        return null;
    }

    /// <summary>The data root holding every set in <paramref name="sets"/> (default Set5); a test calling this is skipped
    /// (or, with KBSR_REQUIRE_ALL=1, fails) when they are absent. See <see cref="Prerequisite"/>.</summary>
    public static string RequireDataRoot(params string[] sets)
    {
        string? root = FindDataRoot();
        if (sets.Length == 0) sets = ["Set5"];
        var missing = root is null ? sets : sets.Where(s => !Directory.Exists(Path.Combine(root, s))).ToArray();
        Prerequisite.Require(missing.Length == 0,
            $"datasets {string.Join(", ", missing)} not found " + (root is null ? "(no data root)" : $"under {root}") +
            ": set KBSR_DATA to the folder holding Set5, Set14, BSDS100, T91, ...");
        return root!;
    }

    /// <summary>The repository root (the folder holding KbSr.Lib.sln).</summary>
    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "KbSr.Lib.sln"))) return dir.FullName;
            throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
        }
    }
}
