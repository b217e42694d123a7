using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using KbSr.Data;
using KbSr.Degradation;
using KbSr.Model;

namespace KbSr.Training;

/// <summary>
/// Everything a training run needs besides the data (docs/method.md §5, docs/design.md §3.5). Immutable, JSON round trip;
/// copied into the run folder as <c>train.json</c>. Defaults are the DBPN/IKC choices the paper leaves open:
/// Adam (0.9, 0.999), rate 1e-4 halved on a schedule, batch 16.
/// </summary>
public sealed record TrainOptions
{
    /// <summary>Largest train.json (or --config file) read: a few kB in practice.</summary>
    public const long MaxFileBytes = 1L << 20;

    /// <summary>The network (architecture + loss weights).</summary>
    public KbSrConfig Model { get; init; } = KbSrConfig.Small;

    /// <summary>Training sets (folders under the data root) the images come from, in load order. Recorded in the run
    /// folder so that a resume loads the same images; empty = not recorded (run folders made before this field).</summary>
    public IReadOnlyList<string> Data { get; init; } = [];

    /// <summary>Training steps in total (a resumed run continues to this count).</summary>
    public long Steps { get; init; } = 1000;

    public int BatchSize { get; init; } = 16;

    /// <summary>HR crop side; the LR patch is HrPatch / scale.</summary>
    public int HrPatch { get; init; } = 96;

    public KernelDistribution Kernels { get; init; } = KernelDistribution.Paper;
    public bool QuantizeLr { get; init; } = true;
    public double NoiseSigma { get; init; }

    /// <summary>Augment with flips only, as the paper does (§5), instead of flips and 90° rotations; not written to
    /// train.json when off, so earlier run folders read as they were.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool FlipsOnly { get; init; }

    public double LearningRate { get; init; } = 1e-4;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;

    /// <summary>"constant", "step" (× <see cref="LrGamma"/> every <see cref="LrStepEvery"/> steps) or "cosine".</summary>
    public string LrSchedule { get; init; } = "step";
    public int LrStepEvery { get; init; } = 200_000;
    public double LrGamma { get; init; } = 0.5;
    public double MinLearningRate { get; init; } = 1e-7;

    /// <summary>Clip the global gradient norm to this value; 0 = off.</summary>
    public double GradClip { get; init; }

    /// <summary>"joint" (the paper; the only schedule of the non-blind networks), "staged" (KB-SR, §5.3: SR with true
    /// kernels → estimator with true HR → joint), or one of IKC's phases: "sftmd" (SFTMD with the true kernels), then
    /// either "predictor" (the Predictor alone against the true codes) followed by "corrector" (the Corrector, with
    /// SFTMD and the Predictor fixed), as IKC's released scripts train them, or "predictor-corrector" (both at once, one
    /// update per batch: the recipe of the first IKC Small). Each later phase starts with --init from the one before.</summary>
    public string Schedule { get; init; } = "joint";

    /// <summary>With a start from weights (`--init`): the network's top-level modules (e.g. "predictor", "corrector" of
    /// IKC) that keep their fresh, seeded initialisation instead of the weights' values.</summary>
    public IReadOnlyList<string> InitFresh { get; init; } = [];

    /// <summary>With a start from weights (`--init`): top-level modules replaced by separately trained networks of the
    /// same shape, module name → weights file (e.g. {"sftmd": "data/weights/sftmd-small.ckpt"} gives IKC the SFTMD
    /// trained on its own, as IKC's recipe trains it first; <see cref="ModuleGraft"/>).</summary>
    public IReadOnlyDictionary<string, string> InitModules { get; init; } = new Dictionary<string, string>();

    /// <summary>For "staged": steps of the SR-only and estimator-only phases; the rest is joint.</summary>
    public long SrPhaseSteps { get; init; }
    public long EstimatorPhaseSteps { get; init; }

    /// <summary>Validate every N steps (0 = never) on <see cref="ValidationSet"/> at <see cref="ValidationSigmas"/>.</summary>
    public int ValidateEvery { get; init; } = 500;
    public string ValidationSet { get; init; } = DatasetSplit.DefaultValidation;
    public IReadOnlyList<double> ValidationSigmas { get; init; } = [1.3, 2.6];

    /// <summary>Evaluate only the first N images of the validation set (0 = all).</summary>
    public int ValidationImages { get; init; }

    public int CheckpointEvery { get; init; } = 500;
    public int LogEvery { get; init; } = 10;
    public long Seed { get; init; } = 1;

    /// <summary>Batches prepared ahead on a background thread; -1 = automatic (2 on CUDA, 0 on CPU).</summary>
    public int Prefetch { get; init; } = -1;

    /// <summary>Stop once the run has trained this many seconds in all (0 = no limit), a resumed run counting the time
    /// of its earlier processes (<see cref="Trainer.TrainingSeconds"/>); a checkpoint is written first.</summary>
    public double TimeLimitSeconds { get; init; }

    /// <summary>Fields a resumed run may change: they decide neither which batches come nor what a step computes.</summary>
    public static IReadOnlyList<string> ResumeAdjustable { get; } = ["steps", "timeLimitSeconds", "prefetch"];

    /// <summary>Defaults for <paramref name="model"/>: the paper's training kernels at the network's kernel size.</summary>
    public static TrainOptions ForModel(KbSrConfig model) => new()
    {
        Model = model,
        Kernels = KernelDistribution.Paper with { KernelSize = model.KernelSize },
    };

    public BatchOptions Batches => new(BatchSize, HrPatch, Model.Scale, Kernels, QuantizeLr, NoiseSigma, Rotate: !FlipsOnly);

    public LearningRateSchedule RateSchedule =>
        new(LrSchedule, LearningRate, LrStepEvery, LrGamma, MinLearningRate, (int)Math.Min(Steps, int.MaxValue));

    /// <summary>The phase of step <paramref name="step"/> under <see cref="Schedule"/>.</summary>
    public TrainingPhase PhaseAt(long step) => Schedule switch
    {
        "joint" => TrainingPhase.Joint,
        "staged" when step < SrPhaseSteps => TrainingPhase.SrWithTrueKernels,
        "staged" when step < SrPhaseSteps + EstimatorPhaseSteps => TrainingPhase.EstimatorWithTrueHr,
        "staged" => TrainingPhase.Joint,
        "sftmd" => TrainingPhase.IkcSftmd,
        "predictor-corrector" => TrainingPhase.IkcPredictorCorrector,
        "predictor" => TrainingPhase.IkcPredictor,
        "corrector" => TrainingPhase.IkcCorrector,
        _ => throw new ArgumentException($"schedule '{Schedule}': expected joint, staged, sftmd, predictor, corrector or predictor-corrector"),
    };

    public void Validate()
    {
        Model.Validate();
        Batches.Validate();
        Kernels.Validate();
        _ = RateSchedule.At(0);
        _ = PhaseAt(0);
        if (Steps < 0) throw new ArgumentException($"steps must be ≥ 0, got {Steps}");
        if (Kernels.KernelSize != Model.KernelSize)
            throw new ArgumentException($"kernel distribution size {Kernels.KernelSize} ≠ network kernel size {Model.KernelSize} " +
                                        $"(set both, e.g. --set kernels.kernelSize={Model.KernelSize})");
        if (HrPatch <= Kernels.KernelSize / 2)
            throw new ArgumentException($"hrPatch {HrPatch} must be larger than {Kernels.KernelSize / 2}: the blur pads the patch by reflection " +
                                        $"with half the {Kernels.KernelSize}×{Kernels.KernelSize} kernel");
        if (Data.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException("data: a training set name is empty");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new ArgumentException($"learning rate {LearningRate}: expected a positive finite number");
        if (!(TimeLimitSeconds >= 0) || !double.IsFinite(TimeLimitSeconds))
            throw new ArgumentException($"--time-limit {TimeLimitSeconds}: expected 0 (no limit) or a positive number of seconds");
        if (!(GradClip >= 0) || !double.IsFinite(GradClip)) throw new ArgumentException($"gradClip {GradClip}: expected 0 (off) or a positive norm");
        if (CheckpointEvery < 1 || LogEvery < 1) throw new ArgumentException("checkpointEvery and logEvery must be ≥ 1");
    }

    /// <summary>Set5, Set14 and BSDS100 are test sets, touched only by evaluation: a new run may neither train nor validate
    /// (and so pick its best checkpoint) on them. Runs made before this rule resume as they were.</summary>
    public void RefuseTestSets()
    {
        var touched = Data.Select(s => (Role: "training set", Set: s))
            .Concat(ValidateEvery > 0 ? [(Role: "validation set", Set: ValidationSet)] : [])
            .Where(x => Evaluation.PaperTable.Sets.Contains(DatasetSplit.Parse(x.Set).Set, StringComparer.OrdinalIgnoreCase)).ToList();
        if (touched.Count > 0)
            throw new ArgumentException($"{string.Join(", ", touched.Select(t => $"{t.Role} {t.Set}"))}: {string.Join(", ", Evaluation.PaperTable.Sets)} " +
                                        $"are test sets and may not be trained or validated on; validate on {DatasetSplit.DefaultValidation} " +
                                        "(the default) or another set outside them");
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter() },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Every field (JSON path, camelCase) whose value differs from <paramref name="other"/>'s, with both values
    /// as JSON: <c>("hrPatch", "64", "96")</c>. Lists compare as a whole.</summary>
    public IReadOnlyList<(string Path, string Mine, string Theirs)> Differences(TrainOptions other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var found = new List<(string, string, string)>();
        Compare("", JsonNode.Parse(ToJson()), JsonNode.Parse(other.ToJson()), found);
        return found.Where(d => !Derived.Contains(d.Item1.Split('.')[0])).ToList();
    }

    // Get-only properties (batches, rateSchedule) are written to train.json for readers but follow from the others.
    private static readonly HashSet<string> Derived = [.. typeof(TrainOptions).GetProperties()
        .Where(p => p.SetMethod is null).Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name))];

    private static void Compare(string path, JsonNode? a, JsonNode? b, List<(string, string, string)> found)
    {
        if (a is JsonObject oa && b is JsonObject ob)
        {
            foreach (string key in oa.Select(kv => kv.Key).Union(ob.Select(kv => kv.Key)))
                Compare(path.Length == 0 ? key : path + "." + key, oa[key], ob[key], found);
            return;
        }
        string ta = a?.ToJsonString() ?? "null", tb = b?.ToJsonString() ?? "null";
        if (ta != tb) found.Add((path, ta, tb));
    }

    public static TrainOptions FromJson(string json, string source = "training options")
    {
        try
        {
            var options = JsonSerializer.Deserialize<TrainOptions>(json, Json) ?? throw new JsonException("null");
            options.Validate();
            return options;
        }
        catch (JsonException e)
        {
            throw new FormatException($"{source}: not valid training options: {e.Message}", e);
        }
        catch (ArgumentException e)   // Validate: a value out of range; name the file it came from
        {
            throw new FormatException($"{source}: {e.Message}", e);
        }
    }
}

/// <summary>What a training step updates (§5.3's staged schedule; the paper trains jointly).</summary>
public enum TrainingPhase
{
    /// <summary>Everything, with the full eq. 3.</summary>
    Joint,
    /// <summary>SR path only: the true kernels replace K_t; kernel terms off.</summary>
    SrWithTrueKernels,
    /// <summary>Estimators only: the true HR replaces SR_t in the pseudo-LR; SR terms off.</summary>
    EstimatorWithTrueHr,
    /// <summary>IKC, first phase: SFTMD alone, given the true kernels' codes.</summary>
    IkcSftmd,
    /// <summary>IKC, second phase: Predictor and Corrector, with SFTMD fixed.</summary>
    IkcPredictorCorrector,
    /// <summary>IKC, the Predictor alone against the true codes (no SFTMD).</summary>
    IkcPredictor,
    /// <summary>IKC, the Corrector alone, with SFTMD and the Predictor fixed: one update per correction.</summary>
    IkcCorrector,
}
