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

    /// <summary>The data root for tests: <c>KBSR_DATA</c>, else <c>../shared/datasets</c> above the repository.</summary>
    public static string DataRoot
    {
        get
        {
            string? env = Environment.GetEnvironmentVariable("KBSR_DATA");
            if (!string.IsNullOrEmpty(env)) return Path.GetFullPath(env);
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "..", "shared", "datasets");
                if (Directory.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "KbSr.Lib.sln")))
                    return Path.GetFullPath(candidate);
            }
            throw new InvalidOperationException("datasets not found: set KBSR_DATA to the folder holding Set5, Set14, ...");
        }
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
