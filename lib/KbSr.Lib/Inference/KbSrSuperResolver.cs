using KbSr.Evaluation;
using KbSr.Model;
using KbSr.Runtime;
using static TorchSharp.torch;

namespace KbSr.Inference;

/// <summary>The network as an <see cref="ISuperResolver"/>: eval mode, no gradients, and the per-stage SR images
/// and kernels returned so evaluation can report PSNR per stage t and the kernel error.</summary>
public sealed class KbSrSuperResolver(KbSrNet net, string name = "KB-SR") : ICostedSuperResolver
{
    public string Name { get; } = name;

    public KbSrNet Net { get; } = net;

    public MethodCost Cost => new(Net.ParameterCount(), ModelCost.FlopsPerLrPixel(Net));

    public SrResult SuperResolve(Tensor lr, int scale)
    {
        if (scale != Net.Config.Scale)
            throw new ArgumentException($"{Name} was built for ×{Net.Config.Scale}, asked for ×{scale}");
        bool wasTraining = Net.training;
        Net.eval();
        try
        {
            using var gate = FinalizerGate.Enter();
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            using var output = Net.Run(lr.to(Device));
            var result = new SrResult(
                output.Sr.detach().clone().MoveToOuterDisposeScope(),
                output.Kernel[0].detach().clone().MoveToOuterDisposeScope(),
                output.SrStages.Select(s => s.detach().clone().MoveToOuterDisposeScope()).ToList(),
                output.Kernels.Select(k => k[0].detach().clone().MoveToOuterDisposeScope()).ToList());
            return result;
        }
        finally
        {
            if (wasTraining) Net.train();
        }
    }

    private Device Device => Net.parameters().First().device;
}
