using static TorchSharp.torch;

namespace KbSr.Model.Baselines;

/// <summary>What an iterative blind network made of one batch: the SR image of every iteration i = 1..N and the kernel
/// code that goes with it (IKC: the code SR_i was made with, the Predictor's first; DAN: the Estimator's code after
/// SR_i). Owns its tensors.</summary>
public sealed record CodeIterations(IReadOnlyList<Tensor> Sr, IReadOnlyList<Tensor> Codes) : IDisposable
{
    /// <summary>The final SR image (iteration N).</summary>
    public Tensor FinalSr => Sr[^1];

    /// <summary>The last code (IKC: the one the final SR image was made with; DAN: its final estimate).</summary>
    public Tensor FinalCode => Codes[^1];

    public void Dispose()
    {
        foreach (var t in Sr.Concat(Codes)) t.Dispose();
    }
}
