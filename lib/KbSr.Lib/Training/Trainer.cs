using System.Diagnostics;
using KbSr.Data;
using KbSr.Degradation;
using KbSr.Evaluation;
using KbSr.Inference;
using KbSr.Model;
using KbSr.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace KbSr.Training;

/// <summary>What one logged training step reports.</summary>
public sealed record StepReport(long Step, long TotalSteps, TrainingPhase Phase, double LearningRate,
    IReadOnlyDictionary<string, double> Loss, double StepsPerSecond, TimeSpan Elapsed, TimeSpan Remaining);

/// <summary>What one validation pass reports: mean PSNR on Y of the final SR and of every stage, kernel L1.</summary>
public sealed record ValidationReport(long Step, double PsnrY, IReadOnlyList<double> StagePsnrY, double KernelL1, bool Best);

/// <summary>How a run ended.</summary>
public enum TrainingEnd { Completed, Interrupted, TimeLimit }

/// <summary>Raised when the loss stops being finite; the last checkpoint on disk is intact.</summary>
public sealed class NonFiniteLossException(string message) : Exception(message);

/// <summary>
/// Trains any registered network (docs/design.md §3.5) — KB-SR with eq. 3, the Table-1 baselines with their papers' losses
/// (<see cref="ITrainingObjective"/>): synthetic batches, Adam with a rate schedule and optional gradient clipping, the
/// run's schedule or phase, periodic validation, atomic checkpoints (last and best), metrics to JSONL/CSV. Resuming from <c>last.ckpt</c> reproduces the uninterrupted run exactly
/// on the CPU: weights, Adam's state and the step are restored, and batch n is a function of (seed, n).
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly TrainOptions _options;
    private readonly RunFolder _run;
    private readonly Device _device;
    private readonly HrImageCache _images;
    private readonly KernelPca _pca;
    private readonly ITrainingObjective _objective;
    private readonly MetricsLog _metrics;
    private readonly MetricsLog _validation;
    private long _step;
    private double _bestPsnr = double.NegativeInfinity;
    private double _earlierSeconds;                 // training time of the run's earlier processes (from the checkpoint)
    private Stopwatch? _clock;                       // this process's training time, while Run runs

    /// <summary>Called every <see cref="TrainOptions.LogEvery"/> steps.</summary>
    public Action<StepReport>? OnStep { get; set; }

    /// <summary>Called after every validation pass.</summary>
    public Action<ValidationReport>? OnValidation { get; set; }

    /// <summary>One-line messages (checkpoints written, resume, warnings).</summary>
    public Action<string> Log { get; set; } = Console.WriteLine;

    /// <summary>The data root that holds <see cref="TrainOptions.ValidationSet"/> (null: the default root, see
    /// <see cref="KbSr.Data.DataRoot"/>). A property of the machine, not of the run, so it is not in train.json.</summary>
    public string? DataRoot { get; set; }

    /// <summary>The network being trained.</summary>
    public ISrNetwork Network { get; }

    /// <summary>The network, when it is KB-SR (<see cref="Network"/> for any network).</summary>
    public KbSrNet Net => Network as KbSrNet
        ?? throw new InvalidOperationException($"this run trains {Network.Config.Model}, not KB-SR: use Trainer.Network");
    public TorchSharp.Modules.Adam Optimizer { get; }
    public long Step => _step;

    private Trainer(TrainOptions options, RunFolder run, HrImageCache images, Device device, bool resume, string? initWeights = null)
    {
        options.Validate();
        _options = options;
        _run = run;
        _device = device;
        _images = images;
        TorchRuntime.Seed(options.Seed);
        // A run that starts from weights keeps the PCA they were trained with: 500 sampled kernels give a fit that
        // varies with the seed (the same code decodes up to Σ|ΔK| ≈ 0.17 apart between seeds), so a fresh fit would
        // change what the weights' codes mean. A fresh run fits its own from its seed.
        _pca = StoredPca(resume ? run.LastCheckpoint : initWeights, options)
               ?? KernelPca.ForDistribution(options.Kernels, dims: options.Model.Loss.PcaDims, seed: options.Seed);
        Network = ModelRegistry.Build(options.Model);
        Network.Module().to(device);
        _objective = TrainingObjectives.For(Network, _pca, options.PhaseAt(0));
        Optimizer = optim.Adam(_objective.Trainable, lr: options.LearningRate, beta1: options.Beta1, beta2: options.Beta2);
        _metrics = new MetricsLog(run.Path, "metrics");
        _validation = new MetricsLog(run.Path, "validation");
        if (resume) Restore();
        else if (initWeights is not null) WarmStart(initWeights);
    }

    /// <summary>Starts a new run in a new folder; the folder records the sets <paramref name="images"/> came from.</summary>
    public static Trainer StartNew(TrainOptions options, string runFolder, HrImageCache images, Device? device = null)
    {
        if (options.InitFresh.Count > 0)
            throw new ArgumentException($"initFresh ({string.Join(", ", options.InitFresh)}) applies to a start from weights (--init); this run starts fresh anyway");
        if (options.InitModules.Count > 0)
            throw new ArgumentException($"initModules ({string.Join(", ", options.InitModules.Keys)}) applies to a start from weights (--init)");
        options = Prepare(options, images);
        var run = RunFolder.CreateNew(runFolder, options);
        return StartOrAbandon(run, () => new Trainer(options, run, images, device ?? CPU, resume: false));
    }

    /// <summary>Starts a new run in a new folder from the weights in <paramref name="weights"/> (a run's checkpoint or
    /// shipped weights), continuing their step count so the schedule and the data stream go on where they stopped.
    /// Adam's moments start from zero when the file holds none (shipped weights do not), so this is a warm start,
    /// not an exact resume; <see cref="Resume"/> is the exact one. If the weights do not fit, no folder is left behind.</summary>
    public static Trainer StartFrom(string weights, TrainOptions options, string runFolder, HrImageCache images, Device? device = null)
    {
        if (!File.Exists(weights)) throw new FileNotFoundException($"--init {weights}: no such weights file", weights);
        options = Prepare(options, images);
        var run = RunFolder.CreateNew(runFolder, options);
        return StartOrAbandon(run, () => new Trainer(options, run, images, device ?? CPU, resume: false, initWeights: weights));
    }

    /// <summary>Continues the run in <paramref name="runFolder"/> from its last checkpoint, with the settings stored
    /// there (<see cref="RunFolder.ResumeOptions"/> says what <paramref name="overrides"/> may change). The images must
    /// be the ones the run trained on (same sets, same size filter). <c>train.json</c> is updated only once the
    /// checkpoint has been restored.</summary>
    public static Trainer Resume(string runFolder, HrImageCache images, Device? device = null, TrainOptions? overrides = null)
    {
        var (run, options) = RunFolder.OpenForResume(runFolder, overrides, Console.Error.WriteLine);
        try
        {
            images.EnsureLoadedFor(options, run.OptionsFile);
            var trainer = new Trainer(options, run, images, device ?? CPU, resume: true);
            run.SaveOptions(options);
            return trainer;
        }
        catch
        {
            run.Dispose();
            throw;
        }
    }

    private static TrainOptions Prepare(TrainOptions options, HrImageCache images)
    {
        if (images.Sets.Count > 0) options = options with { Data = images.Sets };
        options.Validate();
        options.RefuseTestSets();
        return options;
    }

    private static Trainer StartOrAbandon(RunFolder run, Func<Trainer> start)
    {
        try { return start(); }
        catch
        {
            run.Abandon();
            throw;
        }
    }

    /// <summary>Reads the training images a run's options ask for (HR crop = the minimum size).</summary>
    public static HrImageCache LoadImages(IEnumerable<string> sets, TrainOptions options, string? dataRoot = null, Action<string>? warn = null)
    {
        var names = sets.ToList();
        return HrImageCache.Load(names.Select(s => (KbSr.Data.DatasetSplit.Folder(s, dataRoot), KbSr.Data.DatasetSplit.Images(s, dataRoot))), options.HrPatch, warn, names);
    }

    /// <summary>Reads the images of <see cref="TrainOptions.Data"/> (e.g. a resumed run's stored sets).</summary>
    public static HrImageCache LoadImages(TrainOptions options, string? dataRoot = null, Action<string>? warn = null) =>
        options.Data.Count > 0 ? LoadImages(options.Data, options, dataRoot, warn)
            : throw new ArgumentException("the training options name no training sets (data): pass them, e.g. --data T91,BSDS200");

    /// <summary>Trains until <see cref="TrainOptions.Steps"/>, the time limit, or cancellation (then a checkpoint is written).</summary>
    public TrainingEnd Run(CancellationToken cancel = default)
    {
        var source = new SyntheticBatchSource(_images, _options.Batches, _options.Seed);
        int depth = _options.Prefetch >= 0 ? _options.Prefetch : _device.type == DeviceType.CUDA ? 2 : 0;
        using var batches = new BatchPrefetcher(source, _step, _device, depth);
        var schedule = _options.RateSchedule;
        var clock = _clock = Stopwatch.StartNew();
        long startStep = _step;
        var window = Stopwatch.StartNew();
        long windowStart = _step;
        Network.Module().train();

        while (_step < _options.Steps)
        {
            if (cancel.IsCancellationRequested) return Stop(TrainingEnd.Interrupted);
            // The limit is the run's budget in all: a resumed run counts its earlier processes' time too.
            if (_options.TimeLimitSeconds > 0 && TrainingSeconds >= _options.TimeLimitSeconds)
                return Stop(TrainingEnd.TimeLimit);

            var phase = _options.PhaseAt(_step);
            double rate = schedule.At(_step);
            IReadOnlyDictionary<string, double> values;
            using (FinalizerGate.Enter())   // see FinalizerGate: no finalizer may run while libtorch reads handles
            using (var scope = NewDisposeScope())
            {
                using var batch = batches.Next();
                foreach (var group in Optimizer.ParamGroups) group.LearningRate = rate;
                if (_objective is ISelfSteppingObjective self && self.StepsItself(phase))
                {
                    values = self.Step(batch, phase, Optimizer, _options.GradClip);
                    ThrowIfNotFinite(values);
                }
                else
                {
                    using var terms = _objective.Compute(batch, phase);
                    values = terms.Values;
                    ThrowIfNotFinite(values);
                    Optimizer.zero_grad();
                    terms.Total.backward();
                    if (_options.GradClip > 0) nn.utils.clip_grad_norm_(_objective.Trainable, _options.GradClip);
                    Optimizer.step();
                }
            }
            _step++;

            if (_step % _options.LogEvery == 0 || _step == _options.Steps)
            {
                double stepsPerSecond = (_step - windowStart) / Math.Max(1e-9, window.Elapsed.TotalSeconds);
                var record = new Dictionary<string, double>(values) { ["step"] = _step, ["learning_rate"] = rate, ["phase"] = (int)phase };
                _metrics.Write(record);
                var remaining = TimeSpan.FromSeconds((_options.Steps - _step) / Math.Max(1e-9, (_step - startStep) / clock.Elapsed.TotalSeconds));
                OnStep?.Invoke(new StepReport(_step, _options.Steps, phase, rate, values, stepsPerSecond, clock.Elapsed, remaining));
                window.Restart();
                windowStart = _step;
            }
            if (_options.ValidateEvery > 0 && _step % _options.ValidateEvery == 0) Validate();
            if (_step % _options.CheckpointEvery == 0) SaveCheckpoint(_run.LastCheckpoint);
        }
        return Stop(TrainingEnd.Completed);
    }

    private void ThrowIfNotFinite(IReadOnlyDictionary<string, double> values)
    {
        if (!double.IsFinite(values["total"]))
            throw new NonFiniteLossException(
                $"step {_step}: the loss is {values["total"]} ({string.Join(", ", values.Select(kv => $"{kv.Key}={kv.Value:G4}"))}); " +
                "stopped without writing a checkpoint — " + (File.Exists(_run.LastCheckpoint)
                    ? $"{_run.LastCheckpoint} holds the last good state"
                    : "the run has none yet, so start it again (--restart) with other settings (a lower learning rate?)"));
    }

    private TrainingEnd Stop(TrainingEnd end)
    {
        SaveCheckpoint(_run.LastCheckpoint);
        Log($"{end.ToString().ToLowerInvariant()} at step {_step}; checkpoint {_run.LastCheckpoint}");
        return end;
    }

    /// <summary>Mean PSNR (Y) of the final SR and each stage on the validation set, and the kernel L1 error.</summary>
    public ValidationReport Validate()
    {
        var options = new EvalOptions([_options.ValidationSet], _options.ValidationSigmas, _options.Model.Scale,
            _options.Model.KernelSize, DataRoot: DataRoot, MaxImages: _options.ValidationImages);
        var results = new Evaluator(options, _device).Run([_objective.Validator]);
        var rows = results.Images;
        double psnr = rows.Average(r => r.PsnrY);
        var stages = Enumerable.Range(0, rows[0].StagePsnrY?.Count ?? 0).Select(t => rows.Average(r => r.StagePsnrY![t])).ToList();
        double kernelL1 = rows.Average(r => r.KernelL1 ?? double.NaN);
        bool best = psnr > _bestPsnr;
        if (best)
        {
            _bestPsnr = psnr;
            SaveCheckpoint(_run.BestCheckpoint);
        }
        var record = new Dictionary<string, double> { ["step"] = _step, ["psnr_y"] = psnr, ["kernel_l1"] = kernelL1 };
        for (int t = 0; t < stages.Count; t++) record[$"psnr_y_stage{t + 1}"] = stages[t];
        _validation.Write(record);
        var report = new ValidationReport(_step, psnr, stages, kernelL1, best);
        OnValidation?.Invoke(report);
        Network.Module().train();
        return report;
    }

    private void SaveCheckpoint(string path)
    {
        var state = new TrainingState { Step = _step, Seed = _options.Seed, LearningRate = _options.RateSchedule.At(_step), Options = _options.ToJson() };
        if (double.IsFinite(_bestPsnr)) state.Numbers["bestPsnrY"] = _bestPsnr; // JSON has no −∞: absent = no validation yet
        state.Numbers[TrainedParametersKey] = TrainedParameters;
        state.Numbers[TrainingSecondsKey] = TrainingSeconds;
        using var gate = FinalizerGate.Enter();   // saving reads every parameter's and moment's handle
        Checkpoint.Save(path, Network, state, _pca, Optimizer);
    }

    private void Restore()
    {
        using var checkpoint = Checkpoint.Read(_run.LastCheckpoint, _options.Model);
        EnsureSettingsUnchanged(checkpoint);
        checkpoint.LoadWeightsInto(Network);
        if (!checkpoint.HasOptimizerState)
            throw new InvalidDataException($"{_run.LastCheckpoint} holds no optimiser state: it cannot be resumed exactly");
        checkpoint.LoadOptimizerInto(Optimizer);
        _step = checkpoint.State.Step;
        _bestPsnr = checkpoint.State.Numbers.GetValueOrDefault("bestPsnrY", double.NegativeInfinity);
        _earlierSeconds = checkpoint.State.Numbers.GetValueOrDefault(TrainingSecondsKey, 0);   // absent in older checkpoints
        _metrics.TruncateFrom(_step + 1);
        _validation.TruncateFrom(_step + 1);
        Log($"resumed {_run.Path} at step {_step} after {_earlierSeconds:F0} s of training");
    }

    /// <summary>A resumed run must train as it did: train.json's fields other than <see cref="TrainOptions.ResumeAdjustable"/>
    /// must be what they were when the checkpoint was written (a hand edit of seed, patch or data would silently change
    /// the batches and the recipe). Checkpoints from before the options were stored are not checked.</summary>
    private void EnsureSettingsUnchanged(Checkpoint checkpoint)
    {
        if (checkpoint.State.Options is not { } json) return;
        var written = TrainOptions.FromJson(json, $"{checkpoint.Path} (the settings stored in it)");
        var changed = written.Differences(_options).Where(d => !TrainOptions.ResumeAdjustable.Contains(d.Path)).ToList();
        if (changed.Count > 0)
            throw new InvalidDataException(
                $"{_run.OptionsFile}: " + string.Join("; ", changed.Select(c => $"{c.Path} is {c.Theirs} there but was {c.Mine} when {checkpoint.Path} was written")) +
                ". A resumed run keeps its settings: put them back, or start a new run from the checkpoint with --init");
    }

    private void WarmStart(string weights)
    {
        using var checkpoint = Checkpoint.Read(weights, _options.Model);   // a different network fails naming the fields
        var fresh = FreshParameters();
        checkpoint.LoadWeightsInto(Network);
        using (no_grad())
            foreach (var (name, value) in fresh)
            {
                Network.Module().get_parameter(name)!.copy_(value);
                value.Dispose();
            }
        if (fresh.Count > 0) Log($"kept the fresh initialisation of {string.Join(", ", _options.InitFresh)} ({fresh.Count} tensors)");
        foreach (var (module, path) in _options.InitModules)
        {
            var (tensors, note) = ModuleGraft.Apply(Network, module, path, _pca);
            Log($"{module}: {tensors} tensors from {path} ({note})");
        }
        // Adam's moments fit only the parameters they were made for: IKC's second phase trains other parameters than
        // its first, so a first-phase checkpoint's moments are left out (the count of trained parameters tells).
        bool moments = checkpoint.HasOptimizerState &&
                       checkpoint.State.Numbers.GetValueOrDefault(TrainedParametersKey, TrainedParameters) == TrainedParameters;
        if (moments) checkpoint.LoadOptimizerInto(Optimizer);
        _step = checkpoint.State.Step;
        Log($"started from {weights} at step {_step}" + (moments ? " (with its Adam state)" : " (Adam moments start from zero)"));
    }

    /// <summary>A copy of the kernel PCA stored in <paramref name="weights"/>, or null without weights or stored PCA.</summary>
    private static KernelPca? StoredPca(string? weights, TrainOptions options)
    {
        if (weights is null) return null;
        using var checkpoint = Checkpoint.Read(weights, options.Model);
        if (checkpoint.Pca is not { } pca) return null;
        if (pca.Dims != options.Model.Loss.PcaDims || pca.KernelSize != options.Kernels.KernelSize)
            throw new InvalidDataException($"{weights}: its kernel PCA has {pca.Dims} dims for {pca.KernelSize}×{pca.KernelSize} kernels; " +
                                           $"this run needs {options.Model.Loss.PcaDims} dims for {options.Kernels.KernelSize}×{options.Kernels.KernelSize}");
        return pca.Clone();
    }

    /// <summary>Copies of the parameters under <see cref="TrainOptions.InitFresh"/>, taken before the weights load.</summary>
    private List<(string Name, Tensor Value)> FreshParameters()
    {
        var named = Network.Module().named_parameters().ToList();
        var modules = named.Select(p => p.name.Split('.')[0]).Distinct().ToList();
        foreach (string m in _options.InitFresh)
            if (!modules.Contains(m))
                throw new ArgumentException($"initFresh: {Network.Config.Model} has no module '{m}' (its modules: {string.Join(", ", modules)})");
        return named.Where(p => _options.InitFresh.Contains(p.name.Split('.')[0]))
                    .Select(p => (p.name, p.parameter.detach().clone())).ToList();
    }

    private const string TrainedParametersKey = "trainedParameters";
    private const string TrainingSecondsKey = "trainingSeconds";

    /// <summary>Seconds this run has trained, over all its processes up to now (a resume continues the count from
    /// the checkpoint; time lost after the last checkpoint of a killed process is not counted). --init starts at 0.</summary>
    public double TrainingSeconds => _earlierSeconds + (_clock?.Elapsed.TotalSeconds ?? 0);

    /// <summary>Number of parameter values this run's optimiser updates.</summary>
    private long TrainedParameters => _objective.Trainable.Sum(p => p.numel());

    public void Dispose()
    {
        _run.Dispose();
        Optimizer.Dispose();
        Network.Dispose();
        _pca.Dispose();
    }
}
