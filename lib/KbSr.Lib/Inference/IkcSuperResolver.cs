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

    public SrResult SuperResolve(Tensor lr, int scale)
    {
        if (scale != Net.Config.Scale) throw new ArgumentException($"{Name} was built for ×{Net.Config.Scale}, asked for ×{scale}");
        bool wasTraining = Net.training;
        Net.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            using var output = Net.Run(lr.to(Net.parameters().First().device), iterations);
            var kernels = output.Codes.Select(c => pca.Decode(c)[0].detach().clone().MoveToOuterDisposeScope()).ToList();
            return new SrResult(output.FinalSr.detach().clone().MoveToOuterDisposeScope(), kernels[^1].clone().MoveToOuterDisposeScope(),
                                output.Sr.Select(s => s.detach().clone().MoveToOuterDisposeScope()).ToList(), kernels);
        }
        finally
        {
            if (wasTraining) Net.train();
        }
    }
}
