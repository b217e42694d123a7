using KbSr.Degradation;
using KbSr.Evaluation;
using KbSr.Model;
using KbSr.Model.Baselines;
using static TorchSharp.torch;

namespace KbSr.Inference;

/// <summary>Runs an iterative blind network (IKC, DAN) on one LR image in evaluation mode and packages its iterations
/// as an <see cref="SrResult"/>: the final SR image, every iteration's SR image, and every iteration's kernel decoded
/// from its code with the PCA stored with the weights (the final kernel: the last one).</summary>
internal static class CodeIterationsResult
{
    public static SrResult Run(ISrNetwork net, KernelPca pca, Tensor lr, int scale, string name, Func<Tensor, CodeIterations> run)
    {
        if (scale != net.Config.Scale) throw new ArgumentException($"{name} was built for ×{net.Config.Scale}, asked for ×{scale}");
        var module = net.Module();
        bool wasTraining = module.training;
        module.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            using var output = run(lr.to(module.parameters().First().device));
            var kernels = output.Codes.Select(c => pca.Decode(c)[0].detach().clone().MoveToOuterDisposeScope()).ToList();
            return new SrResult(output.FinalSr.detach().clone().MoveToOuterDisposeScope(), kernels[^1].clone().MoveToOuterDisposeScope(),
                                output.Sr.Select(s => s.detach().clone().MoveToOuterDisposeScope()).ToList(), kernels);
        }
        finally
        {
            if (wasTraining) module.train();
        }
    }
}
