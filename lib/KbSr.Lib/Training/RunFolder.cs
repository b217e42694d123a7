using System.Runtime.InteropServices;
using System.Text.Json;
using static TorchSharp.torch;

namespace KbSr.Training;

/// <summary>
/// A training run's folder (style.md §8): options, environment, metrics, checkpoints, summary. Never
/// overwritten: a new run refuses an existing non-empty folder; resuming is explicit.
/// </summary>
public sealed class RunFolder
{
    public RunFolder(string path) => Path = System.IO.Path.GetFullPath(path);

    public string Path { get; }
    public string OptionsFile => System.IO.Path.Combine(Path, "train.json");
    public string EnvironmentFile => System.IO.Path.Combine(Path, "environment.json");
    public string SummaryFile => System.IO.Path.Combine(Path, "summary.json");
    public string CheckpointFolder => System.IO.Path.Combine(Path, "checkpoints");
    public string LastCheckpoint => System.IO.Path.Combine(CheckpointFolder, "last.ckpt");
    public string BestCheckpoint => System.IO.Path.Combine(CheckpointFolder, "best.ckpt");

    /// <summary>Creates the folder for a new run; fails if it already holds a run.</summary>
    public static RunFolder CreateNew(string path, TrainOptions options)
    {
        var run = new RunFolder(path);
        if (Directory.Exists(run.Path) && Directory.EnumerateFileSystemEntries(run.Path).Any())
            throw new IOException($"{run.Path} already holds files: pass --resume to continue that run, or choose another --out");
        Directory.CreateDirectory(run.CheckpointFolder);
        AtomicFile.WriteAllText(run.OptionsFile, options.ToJson());
        AtomicFile.WriteAllText(run.EnvironmentFile, JsonSerializer.Serialize(Environment(), new JsonSerializerOptions { WriteIndented = true }));
        return run;
    }

    /// <summary>Opens an existing run to resume it; its stored options win over the caller's, except
    /// <see cref="TrainOptions.Steps"/> and <see cref="TrainOptions.TimeLimitSeconds"/>, which may grow.</summary>
    public static (RunFolder Run, TrainOptions Options) OpenForResume(string path, TrainOptions? overrides = null)
    {
        var run = new RunFolder(path);
        if (!File.Exists(run.OptionsFile))
            throw new FileNotFoundException($"{run.OptionsFile} not found: {run.Path} is not a training run folder", run.OptionsFile);
        if (!File.Exists(run.LastCheckpoint))
            throw new FileNotFoundException($"{run.LastCheckpoint} not found: nothing to resume from", run.LastCheckpoint);
        var stored = TrainOptions.FromJson(File.ReadAllText(run.OptionsFile), run.OptionsFile);
        if (overrides is not null)
        {
            stored = stored with { Steps = Math.Max(stored.Steps, overrides.Steps), TimeLimitSeconds = overrides.TimeLimitSeconds };
            AtomicFile.WriteAllText(run.OptionsFile, stored.ToJson());
        }
        return (run, stored);
    }

    /// <summary>What ran the training: enough to judge whether two runs' timings compare.</summary>
    public static Dictionary<string, object> Environment() => new()
    {
        ["machine"] = System.Environment.MachineName,
        ["os"] = RuntimeInformation.OSDescription,
        ["processors"] = System.Environment.ProcessorCount,
        ["dotnet"] = RuntimeInformation.FrameworkDescription,
        ["torchThreads"] = get_num_threads(),
        ["cuda"] = cuda.is_available(),
        ["started"] = DateTimeOffset.UtcNow.ToString("O"),
    };
}
