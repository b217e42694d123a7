using KbSr.Degradation;
using KbSr.Evaluation;
using KbSr.Model;
using KbSr.Model.Baselines;
using static TorchSharp.torch;

namespace KbSr.Inference;

/// <summary>DAN as a blind super-resolver: N Restorer → Estimator iterations; the SR image of every iteration
/// (per-stage PSNR in the tables) and the Estimator's kernel after each (decoded from its code with the stored PCA);
/// the final kernel is k_N, the one DAN reports.</summary>
public sealed class DanSuperResolver : ICostedSuperResolver
{
    private readonly KernelPca _pca;
    private readonly int? _iterations;

    public DanSuperResolver(Dan net, KernelPca pca, string name = "DAN", int? iterations = null)
    {
        Net = net;
        _pca = pca;
        _iterations = iterations;
        Name = name;
        net.UseKernelPca(pca);
    }

    public string Name { get; }

    public Dan Net { get; }

    public MethodCost Cost => new(Net.ParameterCount(), ModelCost.FlopsPerLrPixel(Net));

    public SrResult SuperResolve(Tensor lr, int scale) =>
        CodeIterationsResult.Run(Net, _pca, lr, scale, Name, x => Net.Run(x, _iterations));
}
