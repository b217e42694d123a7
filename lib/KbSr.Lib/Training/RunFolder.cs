using System.Runtime.InteropServices;
using System.Text.Json;
using KbSr.Runtime;
using static TorchSharp.torch;

namespace KbSr.Training;

/// <summary>
/// A training run's folder (docs/design.md §3.5): options, environment, metrics, checkpoints, summary. It is the single
/// source of the run's settings: <c>train.json</c> holds every option that decides the batches and the steps (the
/// training sets and the patch size included), and a resume takes them from there, refusing a command line that
/// says otherwise. Never overwritten: a new run refuses an existing non-empty folder; resuming is explicit. While a
/// trainer has it open it holds <c>train.lock</c> (<see cref="RunLock"/>), so two processes never train into it.
/// </summary>
public sealed class RunFolder : IDisposable
{
    private RunLock? _lock;
    private bool _created;

    public RunFolder(string path) => Path = System.IO.Path.GetFullPath(path);

    public string Path { get; }
    public string OptionsFile => System.IO.Path.Combine(Path, "train.json");
    public string EnvironmentFile => System.IO.Path.Combine(Path, "environment.json");
    public string SummaryFile => System.IO.Path.Combine(Path, "summary.json");
    public string LockFile => System.IO.Path.Combine(Path, "train.lock");
    public string CheckpointFolder => System.IO.Path.Combine(Path, "checkpoints");
    public string LastCheckpoint => System.IO.Path.Combine(CheckpointFolder, "last.ckpt");
    public string BestCheckpoint => System.IO.Path.Combine(CheckpointFolder, "best.ckpt");

    /// <summary>Creates the folder for a new run and locks it; fails if it already holds a run.</summary>
    public static RunFolder CreateNew(string path, TrainOptions options, Action<string>? log = null)
    {
        var run = new RunFolder(path);
        if (Directory.Exists(run.Path) && Directory.EnumerateFileSystemEntries(run.Path).Any())
            throw new IOException(run.NeverCheckpointed
                ? $"{run.Path} holds a run that stopped before its first checkpoint (nothing to resume): pass --restart to start it " +
                  "again in that folder, or choose another --out"
                : $"{run.Path} already holds files: pass --resume to continue that run, or choose another --out");
        run._created = !Directory.Exists(run.Path);
        Directory.CreateDirectory(run.Path);
        run._lock = RunLock.Acquire(run.LockFile, log);
        try
        {
            if (Directory.EnumerateFileSystemEntries(run.Path).Any(e => e != run.LockFile))
                throw new IOException($"{run.Path}: another process started a run here a moment ago; choose another --out");
            Directory.CreateDirectory(run.CheckpointFolder);
            AtomicFile.WriteAllText(run.OptionsFile, options.ToJson());
            AtomicFile.WriteAllText(run.EnvironmentFile, JsonSerializer.Serialize(Environment(), new JsonSerializerOptions { WriteIndented = true }));
        }
        catch
        {
            run.Dispose();
            throw;
        }
        return run;
    }

    /// <summary>Whether the folder holds a run (its <c>train.json</c>) that never wrote a checkpoint: killed before the
    /// first one, stopped by a non-finite loss at once, or refused at its first validation.</summary>
    public bool NeverCheckpointed =>
        File.Exists(OptionsFile) && !File.Exists(LastCheckpoint) && !File.Exists(BestCheckpoint) &&
        (!Directory.Exists(CheckpointFolder) || !Directory.EnumerateFiles(CheckpointFolder, "*.ckpt").Any());

    /// <summary>`kbsr train --restart`: deletes a run folder that never wrote a checkpoint, so a new run can start in it.
    /// Refuses a folder with checkpoints (they would be lost), one that is not a run folder (no train.json: it could be
    /// anything), and one a live trainer holds.</summary>
    public static void RemoveNeverCheckpointed(string path, Action<string>? log = null)
    {
        var run = new RunFolder(path);
        if (!Directory.Exists(run.Path) || !Directory.EnumerateFileSystemEntries(run.Path).Any()) return;
        if (!File.Exists(run.OptionsFile))
            throw new IOException($"--restart: {run.Path} holds no train.json, so it is not a run folder; it is left alone (choose another --out)");
        if (!run.NeverCheckpointed)
            throw new IOException($"--restart: {run.Path} holds checkpoints; pass --resume to continue that run, or choose another --out " +
                                  "(--restart only replaces runs that never wrote one)");
        using (RunLock.Acquire(run.LockFile, log)) { }   // fails while a live trainer holds it; a stale lock is removed
        Directory.Delete(run.Path, recursive: true);
        log?.Invoke($"--restart: removed {run.Path}, a run that had stopped before its first checkpoint");
    }

    /// <summary>The options stored in a run folder's <c>train.json</c>; fails naming the folder when it holds no run.</summary>
    public static TrainOptions ReadOptions(string path)
    {
        var run = new RunFolder(path);
        if (!File.Exists(run.OptionsFile))
            throw new FileNotFoundException($"{run.OptionsFile} not found: {run.Path} is not a training run folder", run.OptionsFile);
        return TrainOptions.FromJson(Runtime.RegularFile.ReadAllText(run.OptionsFile, TrainOptions.MaxFileBytes, "train.json"), run.OptionsFile);
    }

    /// <summary>
    /// The options a resumed run trains with: the <paramref name="stored"/> ones, except the fields of
    /// <see cref="TrainOptions.ResumeAdjustable"/> (steps may grow; the time limit and prefetch depth are this
    /// session's). A <paramref name="requested"/> value that differs anywhere else is refused with a message naming the
    /// field and both values; one that repeats the stored value is fine. An empty <see cref="TrainOptions.Data"/> on
    /// either side means "not said" (older run folders did not record it).
    /// </summary>
    public static TrainOptions ResumeOptions(TrainOptions stored, TrainOptions? requested, string source)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (requested is null) return stored;
        var conflicts = stored.Differences(requested)
            .Where(d => !TrainOptions.ResumeAdjustable.Contains(d.Path))
            .Where(d => !(d.Path == "data" && (stored.Data.Count == 0 || requested.Data.Count == 0)))
            .ToList();
        if (conflicts.Count > 0)
            throw new ArgumentException(
                $"--resume: the run's settings are in {source}, and the command line differs: " +
                string.Join("; ", conflicts.Select(c => $"{c.Path} is {c.Mine} there, {c.Theirs} here")) +
                ". Leave those options out to continue the run as it was, or start a new run from its weights with --init");
        return stored with
        {
            Steps = Math.Max(stored.Steps, requested.Steps),
            TimeLimitSeconds = requested.TimeLimitSeconds,
            Prefetch = requested.Prefetch,
            Data = stored.Data.Count > 0 ? stored.Data : requested.Data,
        };
    }

    /// <summary>Opens and locks an existing run to resume it; <see cref="ResumeOptions"/> merges
    /// <paramref name="overrides"/> with the stored options. Temporary files of a write that was killed are removed.
    /// Nothing in the folder is changed here: the caller saves the merged options (<see cref="SaveOptions"/>) once
    /// the resume has succeeded.</summary>
    public static (RunFolder Run, TrainOptions Options) OpenForResume(string path, TrainOptions? overrides = null, Action<string>? log = null)
    {
        var stored = ReadOptions(path);
        var run = new RunFolder(path);
        if (!File.Exists(run.LastCheckpoint))
            throw new FileNotFoundException($"{run.LastCheckpoint} not found: the run stopped before its first checkpoint, so there is " +
                                            "nothing to resume; start it again with the same command, --restart instead of --resume", run.LastCheckpoint);
        var options = ResumeOptions(stored, overrides, run.OptionsFile);
        run._lock = RunLock.Acquire(run.LockFile, log);
        run.RemoveStaleTemporaries(log);
        return (run, options);
    }

    /// <summary>Writes <paramref name="options"/> to <c>train.json</c> when they differ from what is there.</summary>
    public void SaveOptions(TrainOptions options)
    {
        string json = options.ToJson();
        if (!File.Exists(OptionsFile) || File.ReadAllText(OptionsFile) != json) AtomicFile.WriteAllText(OptionsFile, json);
    }

    /// <summary>Removes what <see cref="CreateNew"/> made, after a run failed to start (e.g. <c>--init</c> with weights
    /// of another network), so the same command can simply be run again.</summary>
    public void Abandon()
    {
        Dispose();
        if (!Directory.Exists(Path)) return;
        if (_created) Directory.Delete(Path, recursive: true);
        else
            foreach (var entry in new DirectoryInfo(Path).EnumerateFileSystemInfos())
                if (entry is DirectoryInfo d) d.Delete(recursive: true); else entry.Delete();
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose()
    {
        _lock?.Dispose();
        _lock = null;
    }

    private void RemoveStaleTemporaries(Action<string>? log)
    {
        foreach (string folder in new[] { Path, CheckpointFolder })
        foreach (string file in AtomicFile.RemoveStaleTemporaries(folder))
            log?.Invoke($"removed {file}, left by a write that was interrupted");
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
