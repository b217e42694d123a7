using System.Text.Json.Serialization;

namespace KbSr.Degradation;

/// <summary>How <see cref="KernelSampler"/> draws a kernel's shape.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<KernelFamily>))]
public enum KernelFamily
{
    /// <summary>Isotropic Gaussian, σ ~ U[SigmaMin, SigmaMax] (the paper's training kernels, §5).</summary>
    Isotropic,
    /// <summary>Anisotropic Gaussian, σx, σy ~ U[SigmaMin, SigmaMax] independently, θ ~ U[0, π).</summary>
    Anisotropic,
    /// <summary>Isotropic Gaussian with σ drawn uniformly from <see cref="KernelDistribution.FixedSigmas"/>.</summary>
    FixedSigmas,
}

/// <summary>
/// A distribution of Gaussian blur kernels for eq. 1 (docs/method.md §5, §6). <see cref="Paper"/> is the paper's
/// training distribution: isotropic, 21×21, σ ~ U[0.2, 4.0] in HR pixels. Immutable; JSON-friendly.
/// <see cref="Validate"/> is called by every consumer, so an inconsistent value fails where it is used.
/// </summary>
/// <param name="Family">Kernel family.</param>
/// <param name="KernelSize">Odd kernel side k.</param>
/// <param name="SigmaMin">Lower end of the σ range (Isotropic, Anisotropic).</param>
/// <param name="SigmaMax">Upper end of the σ range (Isotropic, Anisotropic).</param>
/// <param name="FixedSigmas">The σ values of the <see cref="KernelFamily.FixedSigmas"/> family.</param>
public sealed record KernelDistribution(
    KernelFamily Family = KernelFamily.Isotropic,
    int KernelSize = GaussianKernel.PaperSize,
    double SigmaMin = 0.2,
    double SigmaMax = 4.0,
    IReadOnlyList<double>? FixedSigmas = null)
{
    /// <summary>Largest σ (HR pixels) a distribution may hold: far wider than any kernel window it is drawn in.</summary>
    public const double MaxSigma = 50;

    /// <summary>The paper's training kernels: isotropic 21×21, σ ~ U[0.2, 4.0] (docs/method.md §5).</summary>
    public static KernelDistribution Paper { get; } = new();

    /// <summary>The paper's test kernels (Tables 1, 2): σ ∈ {0.2, 1.3, 2.6}, 21×21.</summary>
    public static KernelDistribution PaperTest { get; } = Fixed([0.2, 1.3, 2.6]);

    /// <summary>The community's "Gaussian8" ×4 kernels (IKC, DAN): σ ∈ {1.8, 2.0, …, 3.2}, 21×21.</summary>
    public static KernelDistribution Gaussian8 { get; } = Fixed([1.8, 2.0, 2.2, 2.4, 2.6, 2.8, 3.0, 3.2]);

    /// <summary>Isotropic σ ~ U[<paramref name="sigmaMin"/>, <paramref name="sigmaMax"/>].</summary>
    public static KernelDistribution Isotropic(double sigmaMin, double sigmaMax, int kernelSize = GaussianKernel.PaperSize) =>
        new(KernelFamily.Isotropic, kernelSize, sigmaMin, sigmaMax);

    /// <summary>Anisotropic σx, σy ~ U[<paramref name="sigmaMin"/>, <paramref name="sigmaMax"/>], θ ~ U[0, π).</summary>
    public static KernelDistribution Anisotropic(double sigmaMin, double sigmaMax, int kernelSize = GaussianKernel.PaperSize) =>
        new(KernelFamily.Anisotropic, kernelSize, sigmaMin, sigmaMax);

    /// <summary>Isotropic with σ drawn uniformly from a fixed list.</summary>
    public static KernelDistribution Fixed(IReadOnlyList<double> sigmas, int kernelSize = GaussianKernel.PaperSize)
    {
        ArgumentNullException.ThrowIfNull(sigmas);
        double[] copy = [.. sigmas];
        return new(KernelFamily.FixedSigmas, kernelSize, copy.Length > 0 ? copy.Min() : 0, copy.Length > 0 ? copy.Max() : 0, copy);
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the offending field when the distribution is inconsistent.</summary>
    public void Validate()
    {
        if (KernelSize < 1 || KernelSize % 2 == 0)
            throw new ArgumentException($"KernelDistribution.KernelSize = {KernelSize}: expected a positive odd number");
        if (!Enum.IsDefined(Family))
            throw new ArgumentException($"KernelDistribution.Family = {(int)Family}: expected one of {string.Join(", ", Enum.GetNames<KernelFamily>())}");
        if (Family == KernelFamily.FixedSigmas)
        {
            if (FixedSigmas is null || FixedSigmas.Count == 0)
                throw new ArgumentException("KernelDistribution.FixedSigmas: the FixedSigmas family needs at least one σ");
            foreach (double s in FixedSigmas)
                if (!(s > 0) || !(s <= MaxSigma))
                    throw new ArgumentException($"KernelDistribution.FixedSigmas contains {s}: every σ must be in (0, {MaxSigma}]");
        }
        else if (!(SigmaMin > 0) || !(SigmaMax <= MaxSigma) || SigmaMax < SigmaMin)
        {
            throw new ArgumentException($"KernelDistribution σ range [{SigmaMin}, {SigmaMax}]: expected 0 < sigmaMin ≤ sigmaMax ≤ {MaxSigma}");
        }
    }

    /// <summary>Value equality, including the elements of <see cref="FixedSigmas"/>.</summary>
    public bool Equals(KernelDistribution? other) =>
        other is not null && Family == other.Family && KernelSize == other.KernelSize &&
        SigmaMin.Equals(other.SigmaMin) && SigmaMax.Equals(other.SigmaMax) &&
        (FixedSigmas ?? []).SequenceEqual(other.FixedSigmas ?? []);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Family);
        hash.Add(KernelSize);
        hash.Add(SigmaMin);
        hash.Add(SigmaMax);
        foreach (double s in FixedSigmas ?? []) hash.Add(s);
        return hash.ToHashCode();
    }
}
