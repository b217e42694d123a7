using TorchSharp;
using static TorchSharp.torch;

namespace KbSr.Degradation;

/// <summary>
/// The classical degradation model, eq. 1: <c>LR = (HR ⊛ k)↓s + n</c> (docs/method.md §1, §5, §6) — reflection-padded
/// blur (<see cref="Blur"/>), MATLAB bicubic ↓s (<see cref="Bicubic"/>), optional Gaussian noise
/// (<see cref="Noise"/>), then clamping to [0, 1] and, by default, rounding to 8 bits as DAN does and as a
/// saved PNG would be. Training, evaluation and the notebooks all synthesise LR images through this one function.
/// </summary>
public static class Degrader
{
    /// <summary>
    /// Degrades <paramref name="hr"/> [B, C, H, W] in [0, 1] with <paramref name="kernels"/> ([B, k, k] or [k, k])
    /// at integer <paramref name="scale"/> s: returns [B, C, ceil(H/s), ceil(W/s)] in [0, 1], on hr's device and dtype.
    /// <paramref name="noiseSigma"/> is in [0, 1] units; with <paramref name="quantize"/> values are multiples of 1/255
    /// (round half to even). <paramref name="clamp"/> = false keeps out-of-range values (and then quantisation
    /// does not clamp either) for studies of the unclipped model.
    /// </summary>
    public static Tensor Degrade(Tensor hr, Tensor kernels, int scale, double noiseSigma = 0, bool quantize = true,
                                 Generator? generator = null, bool clamp = true)
    {
        ArgumentNullException.ThrowIfNull(hr);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        using var scope = NewDisposeScope();
        var blurred = Blur.Apply(hr, kernels);
        var lr = Bicubic.Resize(blurred, 1.0 / scale);
        if (noiseSigma != 0) lr = Noise.AddGaussian(lr, noiseSigma, generator);
        if (clamp) lr = lr.clamp(0, 1);
        if (quantize) lr = lr.mul(255).round().div(255);
        return lr.MoveToOuterDisposeScope();
    }
}
