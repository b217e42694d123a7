using TorchSharp;
using static TorchSharp.torch;

namespace KbSr.Degradation;

/// <summary>
/// Gaussian blur kernels, the <c>k</c> of eq. 1 (docs/method.md §5): <c>K ∝ exp(−½ pᵀΣ⁻¹p)</c> sampled on the
/// integer grid <c>−(size/2) … size/2</c> and normalised to sum 1; float32 <c>[size, size]</c>.
/// Index <c>[row, column]</c> = offset <c>(y, x)</c>: x runs along the columns (image width), y down the rows.
/// Isotropic: Σ = σ²I. Anisotropic: Σ = R(θ)·diag(σx², σy²)·R(θ)ᵀ with θ turning the x axis towards the
/// y axis, so the x–y covariance is cosθ·sinθ·(σx² − σy²). σ is in HR pixels. Values are computed in
/// float64 and rounded once to float32, so the single and batched forms agree.
/// </summary>
public static class GaussianKernel
{
    /// <summary>The paper's kernel size (21×21, grid −10 … 10).</summary>
    public const int PaperSize = 21;

    /// <summary>Isotropic kernel of standard deviation <paramref name="sigma"/>; float32 [size, size], sum 1.</summary>
    public static Tensor Isotropic(double sigma, int size = PaperSize, Device? device = null)
    {
        CheckSize(size);
        CheckSigma(sigma, nameof(sigma));
        using var scope = NewDisposeScope();
        var sigmas = tensor(new[] { sigma }, dtype: float64, device: device ?? CPU);
        return IsotropicBatch(sigmas, size)[0].MoveToOuterDisposeScope();
    }

    /// <summary>Anisotropic kernel (σx, σy, rotation θ in radians); float32 [size, size], sum 1.</summary>
    public static Tensor Anisotropic(double sigmaX, double sigmaY, double theta, int size = PaperSize, Device? device = null)
    {
        CheckSize(size);
        CheckSigma(sigmaX, nameof(sigmaX));
        CheckSigma(sigmaY, nameof(sigmaY));
        if (!double.IsFinite(theta)) throw new ArgumentOutOfRangeException(nameof(theta), theta, "angle must be finite (radians)");
        using var scope = NewDisposeScope();
        var d = device ?? CPU;
        var kernels = AnisotropicBatch(
            tensor(new[] { sigmaX }, dtype: float64, device: d),
            tensor(new[] { sigmaY }, dtype: float64, device: d),
            tensor(new[] { theta }, dtype: float64, device: d), size);
        return kernels[0].MoveToOuterDisposeScope();
    }

    /// <summary>
    /// One isotropic kernel per σ: <paramref name="sigmas"/> [B] → float32 [B, size, size] on the σ's device,
    /// each summing to 1. Used in the training hot path, so σ is validated only on the CPU (a check on an
    /// accelerator would force a synchronisation); σ ≤ 0 there yields NaN kernels.
    /// </summary>
    public static Tensor IsotropicBatch(Tensor sigmas, int size = PaperSize)
    {
        CheckSize(size);
        CheckVector(sigmas, nameof(sigmas));
        using var scope = NewDisposeScope();
        var s = sigmas.to(float64).view(-1, 1, 1);
        var (y, x) = Grid(size, sigmas.device);
        var logits = (x * x + y * y).neg() / (2 * s * s);    // [B, size, size]
        return Normalise(logits).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// One anisotropic kernel per sample: σx, σy, θ each [B] (same device) → float32 [B, size, size], each
    /// summing to 1. σ is validated only on the CPU, as in <see cref="IsotropicBatch"/>.
    /// </summary>
    public static Tensor AnisotropicBatch(Tensor sigmaX, Tensor sigmaY, Tensor theta, int size = PaperSize)
    {
        CheckSize(size);
        CheckVector(sigmaX, nameof(sigmaX));
        CheckVector(sigmaY, nameof(sigmaY));
        if (sigmaY.shape[0] != sigmaX.shape[0] || theta.dim() != 1 || theta.shape[0] != sigmaX.shape[0])
            throw new ArgumentException($"sigmaX, sigmaY and theta must all be [B] vectors of one length; got " +
                                        $"[{string.Join(',', sigmaX.shape)}], [{string.Join(',', sigmaY.shape)}], [{string.Join(',', theta.shape)}]");
        using var scope = NewDisposeScope();
        var c = theta.to(float64).cos().view(-1, 1, 1);
        var s = theta.to(float64).sin().view(-1, 1, 1);
        var ix = sigmaX.to(float64).pow(-2).view(-1, 1, 1);   // 1/σx²
        var iy = sigmaY.to(float64).pow(-2).view(-1, 1, 1);   // 1/σy²
        // Precision matrix Σ⁻¹ = R·diag(1/σx², 1/σy²)·Rᵀ = [[a, b], [b, d]].
        var a = c * c * ix + s * s * iy;
        var b = c * s * (ix - iy);
        var d = s * s * ix + c * c * iy;
        var (y, x) = Grid(size, sigmaX.device);
        var logits = (a * x * x + 2 * b * x * y + d * y * y) * -0.5;
        return Normalise(logits).MoveToOuterDisposeScope();
    }

    /// <summary>Offsets (y as a column [size,1], x as a row [1,size]) of the kernel grid, float64.</summary>
    private static (Tensor Y, Tensor X) Grid(int size, Device device)
    {
        int r = size / 2;
        var offsets = arange(-r, r + 1, dtype: float64, device: device);
        return (offsets.view(-1, 1), offsets.view(1, -1));
    }

    // Subtracting the maximum first keeps tiny σ (≈ a delta) free of underflow to an all-zero kernel.
    private static Tensor Normalise(Tensor logits)
    {
        var shifted = (logits - logits.amax(new long[] { 1, 2 }, keepdim: true)).exp();
        return (shifted / shifted.sum(new long[] { 1, 2 }, keepdim: true)).to(float32);
    }

    internal static void CheckSize(int size, string name = "size")
    {
        if (size < 1 || size % 2 == 0)
            throw new ArgumentOutOfRangeException(name, size, "kernel size must be a positive odd number (the grid is centred on 0)");
    }

    private static void CheckSigma(double sigma, string name)
    {
        if (!(sigma > 0) || !double.IsFinite(sigma))
            throw new ArgumentOutOfRangeException(name, sigma, "σ must be a positive finite number (HR pixels)");
    }

    private static void CheckVector(Tensor sigmas, string name)
    {
        if (sigmas.dim() != 1)
            throw new ArgumentException($"{name} must be a [B] vector; got shape [{string.Join(',', sigmas.shape)}]", name);
        if (!sigmas.is_floating_point())
            throw new ArgumentException($"{name} must be a floating-point tensor; got {sigmas.dtype}", name);
        if (sigmas.device_type == DeviceType.CPU && sigmas.numel() > 0)
        {
            using var scope = NewDisposeScope();
            if (sigmas.le(0).logical_or(sigmas.isfinite().logical_not()).any().item<bool>())
                throw new ArgumentOutOfRangeException(name, $"every σ must be positive and finite; got {string.Join(", ", sigmas.to(float64).data<double>().ToArray())}");
        }
    }
}
