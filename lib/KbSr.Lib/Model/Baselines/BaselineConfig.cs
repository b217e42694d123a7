using System.Text.Json.Serialization;

namespace KbSr.Model.Baselines;

/// <summary>
/// Hyperparameters of a Table-1 comparison network (docs/method.md §7), held in <see cref="KbSrConfig.Baseline"/>;
/// scale, kernel size and image channels come from the enclosing <see cref="KbSrConfig"/>, and the length t of
/// the kernel code from <c>Loss.PcaDims</c>: the code is the kernel's projection on the PCA stored with the weights.
/// Each field names what it means in each network; unused fields are ignored by that network.
/// </summary>
public sealed record BaselineConfig
{
    /// <summary>Feature channels: SRCNN's n1 (64), SRMD's 128, SRResNet's, SFTMD's and DAN's Restorer's nf (64).</summary>
    public int Channels { get; init; } = 64;

    /// <summary>SRMD: conv layers in all (12). SRResNet, SFTMD: residual blocks (16). DAN: the Restorer's conditional
    /// residual blocks (40 in DAN's code).</summary>
    public int Blocks { get; init; } = 16;

    /// <summary>SRCNN: n2, the width of the 1×1 mapping layer (32). SFTMD: the SFT layers' hidden width (32).</summary>
    public int Hidden { get; init; } = 32;

    /// <summary>IKC: width of the Predictor's and Corrector's convs (64). DAN: the Estimator's width, half for the LR
    /// branch and half for the SR branch (64).</summary>
    public int EstimatorWidth { get; init; } = 64;

    /// <summary>DAN: the Estimator's conditional residual blocks (5 in DAN's code). 0 (and not written) for the other
    /// networks, so their configs keep their hash.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int EstimatorBlocks { get; init; }

    /// <summary>IKC: number of SFTMD → Corrector iterations at test time and in Corrector training (7 in IKC's code).
    /// DAN: the unrolled Restorer → Estimator iterations (4 in DAN's code).</summary>
    public int Iterations { get; init; } = 7;

    /// <summary>Negative slope of the LeakyReLUs (IKC: 0.2).</summary>
    public double Slope { get; init; } = 0.2;

    // IKC options that change no parameter (so a warm start may switch them, see ParameterLayout). Written only when
    // on: configs made before them keep their hash and their behaviour.

    /// <summary>IKC: reflection padding in the Predictor's and Corrector's convs (IKC's code pads with zeros). The code
    /// is an average over all positions; with zeros, the positions that see padding dominate a 24-pixel training patch
    /// but not a whole image, so the networks learn a border bias that they then add on whole images. With reflection a
    /// spatially uniform image gives the same code at every size.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool ReflectPadding { get; init; }

    /// <summary>IKC: clamp SFTMD's SR image to [0, 1] before the Corrector reads it, as IKC's code does (its SR output
    /// is clamped); unclamped overshoots feed a drifting code back into the loop.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool ClampSr { get; init; }

    /// <summary>IKC: no LeakyReLU after the Predictor's last conv (IKC's code has one). The code is signed and its first
    /// component is negative for most kernels, which the LeakyReLU passes only at slope 0.2.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool PredictorLinearOutput { get; init; }

    /// <summary>IKC: the Predictor and the Corrector see their image minus its mean colour (IKC's code feeds the image as
    /// it is). Their code is a spatial average of a conv stack over an image in [0, 1], dominated by its mean colour, which
    /// says nothing about the blur. Without centring, a fresh Predictor trained on two blurs (σ 0.5 and 3.0) gave every
    /// image the same code after 300 steps, and at IKC Small's size it stayed near the mean code for thousands of steps
    /// (the first IKC Small's collapse); centred, it told the two blurs apart within 40 steps (data/weights/README.md).
    /// DAN: its Estimator sees the SR and the LR image centred (DAN's code feeds them as they are). The same test for a
    /// small DAN trained end to end 400 steps: uncentred, the kernels it estimated for σ 0.5 and 3.0 had spreads 1.40 and
    /// 1.41 px (and a kernel loss still at its first value); centred, 0.45 and 1.78 px (tests/…/Model/DanTests.cs).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool CentredInput { get; init; }

    /// <summary>IKC: the Corrector's last 1×1 conv starts at zero, so a fresh Corrector returns its input code (Δh = 0) and
    /// training moves it away from the identity only where that lowers the code error. With IKC's random start, Δh began
    /// as a bias of the size of the code itself: a fresh Corrector trained 4500 updates still made the Predictor's codes
    /// worse (BSDS200:val kernel error 0.45 → 1.27) and lowered PSNR at every iteration (data/runs/ikc-small-fix/README.md).
    /// Only the initialisation differs: it changes nothing in a loaded network.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool CorrectorIdentityStart { get; init; }

    /// <summary>This config with the options that change no parameter at their defaults: two configs with equal
    /// layouts hold the same parameters, so weights of one load into the other.</summary>
    public BaselineConfig ParameterLayout() => this with { ReflectPadding = false, ClampSr = false, PredictorLinearOutput = false, CentredInput = false,
                                                          CorrectorIdentityStart = false };

    /// <summary>16 × the largest published layout: SRMD's 12 × 128² (one pass), DAN's 40 × 64² × 4 iterations.</summary>
    public const long MaxBlocksTimesWidthSquared = 16L * 40 * 64 * 64 * 4;

    public void Validate()
    {
        if (Channels < 1 || Blocks < 1 || Hidden < 1 || EstimatorWidth < 1)
            throw new ArgumentException($"baseline channels, blocks, hidden and estimatorWidth must be ≥ 1; got {Channels}, {Blocks}, {Hidden}, {EstimatorWidth}");
        if (Channels > 1024 || Hidden > 1024 || EstimatorWidth > 1024 || Blocks > 256 || EstimatorBlocks > 64 || Iterations > 64)
            throw new ArgumentException($"baseline channels, hidden, estimatorWidth ≤ 1024, blocks ≤ 256, estimatorBlocks and iterations ≤ 64; " +
                                        $"got {Channels}, {Hidden}, {EstimatorWidth}, {Blocks}, {EstimatorBlocks}, {Iterations}");
        // The widest published layout is SRMD's (12 layers of 128): a crafted config may not ask for more than 16× it.
        long width = Math.Max(Channels, Math.Max(Hidden, EstimatorWidth));
        if ((long)Math.Max(Blocks, EstimatorBlocks) * width * width * Iterations > MaxBlocksTimesWidthSquared)
            throw new ArgumentException($"blocks × width² × iterations = {Math.Max(Blocks, EstimatorBlocks)} × {width}² × {Iterations} exceeds " +
                                        $"{MaxBlocksTimesWidthSquared:N0} (16× the largest published baseline)");
        if (EstimatorBlocks < 0) throw new ArgumentException($"baseline estimatorBlocks must be ≥ 0; got {EstimatorBlocks}");
        if (Iterations < 1) throw new ArgumentException($"baseline iterations must be ≥ 1; got {Iterations}");
        if (!(Slope >= 0) || !double.IsFinite(Slope)) throw new ArgumentException($"baseline slope must be finite and ≥ 0; got {Slope}");
    }
}
