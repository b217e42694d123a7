using KbSr.Imaging;

namespace KbSr.Evaluation;

/// <summary>What to evaluate (docs/method.md §6).</summary>
/// <param name="Sets">Test-set folder names under the data root (Set5, Set14, BSDS100, Urban100, …).</param>
/// <param name="Sigmas">Kernel widths σ in HR pixels; 0 = plain bicubic degradation.</param>
/// <param name="Scale">Super-resolution factor; also the border shave for the metrics.</param>
/// <param name="KernelSize">Side of the Gaussian kernel (21 in the paper).</param>
/// <param name="DataRoot">Data root (else <c>KBSR_DATA</c>, else data/datasets).</param>
/// <param name="LrDir">Read LR inputs from this folder (layout of <see cref="TestSetSynthesis.Folder"/>)
/// instead of synthesising them — for inputs made by another tool.</param>
/// <param name="Gaussian8">The community's Gaussian8 ×4 protocol: every image × σ ∈ {1.8 … 3.2};
/// tables then report one averaged "g8" column per set.</param>
/// <param name="MaxImages">Evaluate only the first N images of each set (0 = all); for smoke runs.</param>
/// <param name="CenterCrop">Evaluate the centred N×N HR window of each image (a side shorter than N is kept whole; N a
/// multiple of the scale; 0 = whole images): to see how a network trained on patches behaves at the patch size.</param>
public sealed record EvalOptions(
    IReadOnlyList<string> Sets,
    IReadOnlyList<double> Sigmas,
    int Scale = 4,
    int KernelSize = 21,
    string? DataRoot = null,
    string? LrDir = null,
    bool Gaussian8 = false,
    int MaxImages = 0,
    int CenterCrop = 0)
{
    /// <summary>The σ of the Gaussian8 protocol: 1.8, 2.0, …, 3.2.</summary>
    public static IReadOnlyList<double> Gaussian8Sigmas { get; } = [1.8, 2.0, 2.2, 2.4, 2.6, 2.8, 3.0, 3.2];

    /// <summary>The paper's Table 1/2 protocol: Set5, Set14, BSDS100 × σ ∈ {0.2, 1.3, 2.6}, ×4.</summary>
    public static EvalOptions Paper { get; } = new(["Set5", "Set14", "BSDS100"], [0.2, 1.3, 2.6]);

    public IReadOnlyList<double> EffectiveSigmas => Gaussian8 ? Gaussian8Sigmas : Sigmas;

    /// <summary>Largest kernel width σ (HR pixels) accepted; the paper tests up to 2.6, trains up to 4.0.</summary>
    /// <summary>Largest --center-crop (HR pixels): larger than any test image.</summary>
    public const int MaxCenterCrop = 8192;

    public const double MaxSigma = Degradation.KernelDistribution.MaxSigma;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the argument when σ is not in [0, <see cref="MaxSigma"/>].</summary>
    public static double CheckSigma(double sigma, string argument = "sigma") =>
        sigma >= 0 && sigma <= MaxSigma ? sigma
            : throw new ArgumentException($"{argument}: σ = {sigma.ToString(System.Globalization.CultureInfo.InvariantCulture)} is outside 0–{MaxSigma} (HR pixels; 0 = no blur)");

    /// <summary>The smallest HR side the protocol can measure: the blur's reflection padding needs more than k/2 pixels,
    /// and SSIM's 11×11 window must fit after the <see cref="Scale"/>-pixel border shave.</summary>
    public int MinHrSide => Math.Max(KernelSize / 2 + 1, Math.Max(Ssim.WindowSize + 2 * Scale, 2 * Scale));

    /// <summary>Throws an <see cref="InvalidDataException"/> naming <paramref name="file"/> and both sizes when
    /// the (mod-cropped) HR image is smaller than <see cref="MinHrSide"/>.</summary>
    public void CheckSize(RgbImage hr, string file)
    {
        int min = MinHrSide;
        if (hr.Width < min || hr.Height < min)
            throw new InvalidDataException(
                $"{file}: {hr.Width}×{hr.Height} (cropped to a multiple of {Scale}) is too small for the protocol: it needs at least " +
                $"{min}×{min} (a {KernelSize}×{KernelSize} kernel, and the {Ssim.WindowSize}×{Ssim.WindowSize} SSIM window after a {Scale}-pixel border shave)");
    }

    /// <summary>The centred <see cref="CenterCrop"/> window of a mod-cropped HR image (the image itself when 0); its sides stay
    /// multiples of the scale.</summary>
    public RgbImage ApplyCenterCrop(RgbImage hr)
    {
        if (CenterCrop == 0) return hr;
        int width = Math.Min(CenterCrop, hr.Width), height = Math.Min(CenterCrop, hr.Height);
        return width == hr.Width && height == hr.Height ? hr : hr.Crop((hr.Width - width) / 2, (hr.Height - height) / 2, width, height);
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the offending value.</summary>
    public void Validate()
    {
        if (Sets.Count == 0) throw new ArgumentException("no test set given");
        if (Sigmas.Count == 0 && !Gaussian8) throw new ArgumentException("no σ given");
        foreach (double sigma in Sigmas) CheckSigma(sigma, "--sigmas");
        if (CenterCrop != 0 && (CenterCrop < MinHrSide || CenterCrop > MaxCenterCrop || CenterCrop % Scale != 0))
            throw new ArgumentException($"--center-crop {CenterCrop}: expected 0 (whole images) or a multiple of the scale {Scale} from {MinHrSide} to {MaxCenterCrop}");
        if (CenterCrop != 0 && LrDir is not null)
            throw new ArgumentException("--center-crop cannot be combined with --lr-dir: the LR files were made from whole images");
        if (MaxImages < 0) throw new ArgumentException($"--max-images {MaxImages}: expected a positive count (or 0 = every image)");
        if (KernelSize < 1 || KernelSize % 2 == 0) throw new ArgumentException($"kernel size {KernelSize}: expected a positive odd number");
        if (Scale < 1) throw new ArgumentException($"scale {Scale}: expected ≥ 1");
    }
}
