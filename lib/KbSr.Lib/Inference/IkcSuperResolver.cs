using KbSr.Degradation;
using KbSr.Evaluation;
using KbSr.Model;
using KbSr.Model.Baselines;
using static TorchSharp.torch;

namespace KbSr.Inference;

/// <summary>IKC as a blind super-resolver: N iterations of SFTMD and Corrector; the SR image of every iteration
/// (per-stage PSNR in the tables) and the kernel each was made with (decoded from its code with the stored PCA).</summary>
public sealed class IkcSuperResolver(Ikc net, KernelPca pca, string name = "IKC", int? iterations = null) : ICostedSuperResolver
{
    public string Name { get; } = name;

    public Ikc Net { get; } = net;

    public MethodCost Cost => new(Net.ParameterCount(), ModelCost.FlopsPerLrPixel(Net));

    public SrResult SuperResolve(Tensor lr, int scale) =>
        CodeIterationsResult.Run(Net, pca, lr, scale, Name, x => Net.Run(x, iterations));
}
