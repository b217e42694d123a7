using KbSr.Degradation;
using static TorchSharp.torch;

namespace KbSr.Evaluation;

/// <summary>The baseline row of every table: MATLAB-style bicubic upsampling of the LR input.</summary>
public sealed class BicubicUpsampler : ISuperResolver
{
    public string Name => "bicubic";

    public SrResult SuperResolve(Tensor lr, int scale)
    {
        using var _ = no_grad();
        return new SrResult(Bicubic.Resize(lr, scale));
    }
}
