namespace KbSr.Evaluation;

/// <summary>What to evaluate (method.md §6).</summary>
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
public sealed record EvalOptions(
    IReadOnlyList<string> Sets,
    IReadOnlyList<double> Sigmas,
    int Scale = 4,
    int KernelSize = 21,
    string? DataRoot = null,
    string? LrDir = null,
    bool Gaussian8 = false,
    int MaxImages = 0)
{
    /// <summary>The σ of the Gaussian8 protocol: 1.8, 2.0, …, 3.2.</summary>
    public static IReadOnlyList<double> Gaussian8Sigmas { get; } = [1.8, 2.0, 2.2, 2.4, 2.6, 2.8, 3.0, 3.2];

    /// <summary>The paper's Table 1/2 protocol: Set5, Set14, BSDS100 × σ ∈ {0.2, 1.3, 2.6}, ×4.</summary>
    public static EvalOptions Paper { get; } = new(["Set5", "Set14", "BSDS100"], [0.2, 1.3, 2.6]);

    public IReadOnlyList<double> EffectiveSigmas => Gaussian8 ? Gaussian8Sigmas : Sigmas;
}
