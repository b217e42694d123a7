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

    public SrResult SuperResolve(Tensor lr, int scale)
    {
        if (scale != Net.Config.Scale) throw new ArgumentException($"{Name} was built for ×{Net.Config.Scale}, asked for ×{scale}");
        bool wasTraining = Net.training;
        Net.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            using var output = Net.Run(lr.to(Net.parameters().First().device), _iterations);
            var kernels = output.Codes.Select(c => _pca.Decode(c)[0].detach().clone().MoveToOuterDisposeScope()).ToList();
            return new SrResult(output.FinalSr.detach().clone().MoveToOuterDisposeScope(), kernels[^1].clone().MoveToOuterDisposeScope(),
                                output.Sr.Select(s => s.detach().clone().MoveToOuterDisposeScope()).ToList(), kernels);
        }
        finally
        {
            if (wasTraining) Net.train();
        }
    }
}
