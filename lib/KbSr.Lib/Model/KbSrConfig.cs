using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace KbSr.Model;

/// <summary>
/// Every hyperparameter of the KB-SR network (docs/method.md §2–§3) and of its loss (eq. 3, §4), as one immutable
/// record. Presets: <see cref="Paper"/> (the paper's T = 10, C = 64, n0 = 256, ×4, k = 21), <see cref="Small"/>
/// (a CPU-sized network: one training step on 8 LR patches of 24×24 takes well under a second on 2 cores) and
/// <see cref="Test"/> (tiny, for unit tests). Copied into every checkpoint; <see cref="EnsureCompatible"/>
/// refuses weights made for another architecture and names the fields that differ.
/// </summary>
public sealed record KbSrConfig
{
    /// <summary>Name of the network in <see cref="ModelRegistry"/>.</summary>
    public string Model { get; init; } = ModelRegistry.KbSr;

    /// <summary>Super-resolution factor s: 2, 3, 4 or 8 (the DBPN projection geometries).</summary>
    public int Scale { get; init; } = 4;

    /// <summary>Number of KB modules T (Fig. 1).</summary>
    public int Stages { get; init; } = 10;

    /// <summary>Feature channels C of LRf and SRf.</summary>
    public int Channels { get; init; } = 64;

    /// <summary>Width n0 of the initial 3×3 feature-extraction conv (DBPN).</summary>
    public int InitialChannels { get; init; } = 256;

    /// <summary>Side k of the estimated k×k blur kernels (odd).</summary>
    public int KernelSize { get; init; } = 21;

    /// <summary>Image channels (RGB).</summary>
    public int ImageChannels { get; init; } = 3;

    /// <summary>Hidden width of the SFT layer's convs (Fig. 3; IKC's 32).</summary>
    public int SftHidden { get; init; } = 32;

    /// <summary>Negative slope of the SFT layer's LeakyReLU (IKC's 0.2).</summary>
    public double SftSlope { get; init; } = 0.2;

    /// <summary>Width of the initial kernel estimator's 5×5 convs (IKC Predictor: 64).</summary>
    public int EstimatorWidth { get; init; } = 64;

    /// <summary>Negative slope of the LeakyReLUs in both kernel estimators.</summary>
    public double EstimatorSlope { get; init; } = 0.2;

    /// <summary>IKC applies a LeakyReLU after the initial estimator's last conv too; false drops it.</summary>
    public bool EstimatorLastActivation { get; init; } = true;

    /// <summary>Fig. 2 without GAP: the estimator also yields a per-pixel kernel field; the pseudo-LR then uses
    /// the field's spatial mean (still a normalised kernel).</summary>
    public bool PerPixelKernel { get; init; }

    /// <summary>Condition the SFT layer on the pseudo-LR difference D_t (the paper). False conditions it on
    /// zeros of the same shape, so the ablation changes the information, not the parameter count.</summary>
    public bool DifferenceInSft { get; init; } = true;

    /// <summary>§5.3 idea: feed D_(t−1) into stage t's kernel estimator (concatenated before its fusing 1×1 conv).</summary>
    public bool DifferenceToEstimator { get; init; }

    /// <summary>Table 2: one more SFT layer after each module, conditioned on the replicated kernel K_t.</summary>
    public bool KernelSft { get; init; }

    /// <summary>Add the bicubic-upsampled LR to every SR image (global residual); off in the paper.</summary>
    public bool GlobalResidual { get; init; }

    /// <summary>The final SR is SR_T, stage T's head, instead of a separate conv over the same features [SRf1..SRfT]
    /// (Fig. 1): eq. 3's pseudo-LR term on PLR_T then constrains the output itself. Off in the paper; not written to
    /// JSON when off, so the configs and hashes of earlier networks stay as they were.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool FinalFromLastStage { get; init; }

    /// <summary>Weights of eq. 3's terms and the kernel-loss options (not part of the architecture).</summary>
    public KbSrLossWeights Loss { get; init; } = new();

    /// <summary>Hyperparameters of a Table-1 comparison network (<c>Model/Baselines</c>); null for KB-SR, and then
    /// not written, so KB-SR configs (and their hashes) are unchanged.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Baselines.BaselineConfig? Baseline { get; init; }

    /// <summary>The stage whose outputs are eq. 3's "mid" terms: T/2 (at least 1).</summary>
    [JsonIgnore]
    public int MidStage => MidStageOf(Stages);

    /// <summary>Eq. 3's mid stage of a network of <paramref name="stages"/> stages: T/2, at least 1.</summary>
    public static int MidStageOf(int stages) => Math.Max(1, stages / 2);

    public static KbSrConfig Paper { get; } = new();

    /// <summary>T = 4, C = 16, n0 = 64, estimator and SFT width 16; 1.56 M parameters, 7.3 GFLOP per forward of 8 LR
    /// patches of 24×24. <c>kbsr bench --preset Small</c> on the 2-core CPU: fastest step 452 ms (median 512 ms
    /// with the machine otherwise idle; slower when other processes share the cores).</summary>
    public static KbSrConfig Small { get; } = new()
    {
        Stages = 4, Channels = 16, InitialChannels = 64, EstimatorWidth = 16, SftHidden = 16,
    };

    /// <summary>Tiny network for unit tests (×2, k = 5).</summary>
    public static KbSrConfig Test { get; } = new()
    {
        Scale = 2, Stages = 2, Channels = 4, InitialChannels = 6, KernelSize = 5, SftHidden = 4, EstimatorWidth = 4,
        Loss = new KbSrLossWeights { PcaDims = 5 },
    };

    /// <summary>A preset by name (Paper, Small, Test; case-insensitive).</summary>
    public static KbSrConfig Preset(string name) => name.Trim().ToLowerInvariant() switch
    {
        "paper" => Paper,
        "small" => Small,
        "test" => Test,
        _ => throw new ArgumentException($"unknown preset '{name}': expected Paper, Small or Test", nameof(name)),
    };

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private static readonly JsonSerializerOptions CompactJsonOptions = new(JsonOptions) { WriteIndented = false };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Parses <see cref="ToJson"/>'s output; unknown fields are an error (a typo would silently keep a default).</summary>
    public static KbSrConfig FromJson(string json)
    {
        try
        {
            var config = JsonSerializer.Deserialize<KbSrConfig>(json, JsonOptions)
                         ?? throw new JsonException("the JSON is null");
            config.Validate();
            return config;
        }
        catch (JsonException e)
        {
            throw new FormatException("not a KB-SR configuration: " + e.Message, e);
        }
    }

    /// <summary>First 12 hex digits of the SHA-256 of the compact JSON: stable across runs and machines.</summary>
    public string Hash()
    {
        string compact = JsonSerializer.Serialize(this, CompactJsonOptions);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(compact)))[..12];
    }

    /// <summary>Largest stages × width² accepted: 16× the paper's network (T = 10, C = 64). A checkpoint's config is
    /// checked against these bounds before anything is built, so a crafted or damaged file cannot ask for a network
    /// that exhausts memory; real variants (wider, deeper) stay far inside.</summary>
    public const long MaxStagesTimesWidthSquared = 16L * 10 * 64 * 64;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the field when a value is out of range.</summary>
    /// <summary>A KB-SR network's weights and its activations per LR pixel may be at most this many times the paper's
    /// network's (<see cref="CheckCost"/>): the per-field ranges alone let a crafted config ask for gigabytes.</summary>
    public const double MaxCostOverPaper = 64;

    private static readonly Lazy<(double Weights, double Elements)> PaperCost = new(() => Cost(Paper));

    /// <summary>The weights of the layers that dominate (the estimator's conv reads the stack of all t·C features of
    /// stage t, so its weights grow with t²; six projections of C² taps per stage; the first convs) and the activation
    /// elements per LR pixel that autograd keeps (<see cref="ModelComplexity"/>, which also grow with t²: the SR heads
    /// read the stack at HR size).</summary>
    private static (double Weights, double Elements) Cost(KbSrConfig config)
    {
        double c = config.Channels, g = ProjectionGeometry.Of(config.Scale).KernelSize, t = config.Stages;
        double weights = t * (t + 1) / 2 * c * c * g * g + 6 * t * c * c * g * g + 9.0 * config.ImageChannels * config.InitialChannels +
                         (double)config.InitialChannels * c;
        const int side = 16;
        double elements = ModelComplexity.EstimateUnchecked(config, side, side).Sum(b => b.ActivationElements) / (side * side);
        return (weights, elements);
    }

    private void CheckCost()
    {
        var (weights, elements) = Cost(this);
        var paper = PaperCost.Value;
        if (weights > MaxCostOverPaper * paper.Weights || elements > MaxCostOverPaper * paper.Elements)
            throw new ArgumentException(
                $"this network would hold about {weights * 4 / 1e9:F1} GB of weights and keep {elements * 4 / 1e6:F1} MB of activations per LR pixel; " +
                $"at most {MaxCostOverPaper}× the paper's network ({paper.Weights * 4 / 1e9:F2} GB, {paper.Elements * 4 / 1e6:F2} MB) is accepted");
    }

    public void Validate()
    {
        if (ProjectionGeometry.For(Scale) is null)
            throw new ArgumentException($"scale {Scale} is not supported: expected 2, 3, 4 or 8 (the DBPN projection geometries)");
        static void InRange(string name, long value, long min, long max)
        {
            if (value < min || value > max) throw new ArgumentException($"{name} = {value} is outside {min}–{max}");
        }
        InRange("stages", Stages, 1, 100);
        InRange("channels", Channels, 1, 1024);
        InRange("initialChannels", InitialChannels, 1, 4096);
        InRange("sftHidden", SftHidden, 1, 1024);
        InRange("estimatorWidth", EstimatorWidth, 1, 1024);
        InRange("imageChannels", ImageChannels, 1, 4);
        InRange("kernelSize", KernelSize, 1, 63);
        if (KernelSize % 2 == 0) throw new ArgumentException($"kernelSize must be odd; got {KernelSize}");
        long width = Math.Max(Channels, Math.Max(SftHidden, EstimatorWidth));
        if (Stages * width * width > MaxStagesTimesWidthSquared)
            throw new ArgumentException($"stages × width² = {Stages} × {width}² exceeds {MaxStagesTimesWidthSquared:N0} (16× the paper's network)");
        if (Baseline is null) CheckCost();
        if (string.IsNullOrWhiteSpace(Model)) throw new ArgumentException("model name is empty");
        if (!double.IsFinite(SftSlope) || !double.IsFinite(EstimatorSlope)) throw new ArgumentException("sftSlope and estimatorSlope must be finite");
        Loss.Validate();
        InRange("loss.pcaDims", Loss.PcaDims, 1, (long)KernelSize * KernelSize);
        Baseline?.Validate();
    }

    /// <summary>Names of the architecture fields (those that decide the weights and the forward pass) whose values differ.
    /// IKC's options that change no parameter are left out (<see cref="Baselines.BaselineConfig.ParameterLayout"/>): a
    /// warm start (`kbsr train --init`) may switch them.</summary>
    public IReadOnlyList<string> ArchitectureDifferences(KbSrConfig other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var differences = new List<string>();
        void Check<T>(string name, T a, T b)
        {
            if (!EqualityComparer<T>.Default.Equals(a, b)) differences.Add($"{name} ({a} vs {b})");
        }
        Check(nameof(Model), Model, other.Model);
        Check(nameof(Scale), Scale, other.Scale);
        Check(nameof(Stages), Stages, other.Stages);
        Check(nameof(Channels), Channels, other.Channels);
        Check(nameof(InitialChannels), InitialChannels, other.InitialChannels);
        Check(nameof(KernelSize), KernelSize, other.KernelSize);
        Check(nameof(ImageChannels), ImageChannels, other.ImageChannels);
        Check(nameof(SftHidden), SftHidden, other.SftHidden);
        Check(nameof(SftSlope), SftSlope, other.SftSlope);
        Check(nameof(EstimatorWidth), EstimatorWidth, other.EstimatorWidth);
        Check(nameof(EstimatorSlope), EstimatorSlope, other.EstimatorSlope);
        Check(nameof(EstimatorLastActivation), EstimatorLastActivation, other.EstimatorLastActivation);
        Check(nameof(PerPixelKernel), PerPixelKernel, other.PerPixelKernel);
        Check(nameof(DifferenceInSft), DifferenceInSft, other.DifferenceInSft);
        Check(nameof(DifferenceToEstimator), DifferenceToEstimator, other.DifferenceToEstimator);
        Check(nameof(KernelSft), KernelSft, other.KernelSft);
        Check(nameof(GlobalResidual), GlobalResidual, other.GlobalResidual);
        Check(nameof(FinalFromLastStage), FinalFromLastStage, other.FinalFromLastStage);
        Check(nameof(Baseline), Baseline?.ParameterLayout(), other.Baseline?.ParameterLayout());
        if (Baseline is not null) Check("Loss.PcaDims (the baselines' kernel-code length)", Loss.PcaDims, other.Loss.PcaDims);
        return differences;
    }

    /// <summary>Throws when <paramref name="other"/> describes a different architecture; the message names
    /// every differing field (this value first, then the other's). Loss weights may differ.</summary>
    public void EnsureCompatible(KbSrConfig other, string? what = null)
    {
        var differences = ArchitectureDifferences(other);
        if (differences.Count > 0)
            throw new InvalidOperationException(
                $"{what ?? "configuration"} does not match the network: {string.Join(", ", differences)}");
    }
}

/// <summary>Weights of the terms of eq. 3 (docs/method.md §4), all 1.0 as in the paper, and the kernel-loss options.</summary>
public sealed record KbSrLossWeights
{
    /// <summary>MSE(SR, HR).</summary>
    public double Sr { get; init; } = 1;

    /// <summary>MSE(PLR_T, LR).</summary>
    public double PseudoLr { get; init; } = 1;

    /// <summary>MSE(SR_mid, HR).</summary>
    public double SrMid { get; init; } = 1;

    /// <summary>MSE(PLR_mid, LR).</summary>
    public double PseudoLrMid { get; init; } = 1;

    /// <summary>L1(P·vec(K_pred), P·vec(K_gt)) in the stored PCA space.</summary>
    public double KernelPca { get; init; } = 1;

    /// <summary>||K_pred||_1 (constant 1 for softmax kernels; kept for fidelity).</summary>
    public double KernelNorm { get; init; } = 1;

    /// <summary>Mean |K_pred − K_gt| over all k² entries (DANv2's kernel loss); 0 = off (the paper).</summary>
    public double KernelFull { get; init; }

    /// <summary>Apply the kernel terms to every stage's K_t (averaged over t) instead of K_T only.</summary>
    public bool KernelEveryStage { get; init; }

    /// <summary>MSE(SR_t, HR) averaged over every stage t = 1..T: every provisional SR is asked to approach HR, so the
    /// iteration has something to iterate toward (eq. 3 asks it of SR_mid only). 0 = off (the paper); not written to
    /// JSON when off, so the configs and hashes of earlier networks stay as they were.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public double SrEveryStage { get; init; }

    /// <summary>The image terms (SR and pseudo-LR against HR and LR) as mean absolute errors instead of eq. 3's MSE:
    /// EDSR, IKC and DAN train with L1. Off = the paper; not written to JSON when off.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool L1Images { get; init; }

    /// <summary>Number of PCA dimensions of the kernel term (the paper: k = 21 → 21 dims).</summary>
    public int PcaDims { get; init; } = 21;

    public void Validate()
    {
        double[] all = [Sr, PseudoLr, SrMid, PseudoLrMid, KernelPca, KernelNorm, KernelFull, SrEveryStage];
        if (all.Any(w => !(w >= 0) || !double.IsFinite(w)))
            throw new ArgumentException("loss weights must be finite and ≥ 0");
        if (PcaDims < 1) throw new ArgumentException($"loss.pcaDims must be ≥ 1; got {PcaDims}");
    }
}
