using static TorchSharp.torch;

namespace KbSr.Evaluation;

/// <summary>A super-resolver that may read the true blur kernel (non-blind methods evaluated "given the true kernel",
/// the protocol of the rows IKC's paper quotes). The <see cref="Evaluator"/> passes it the kernel the LR image was made
/// with; a method that estimates its kernel ignores it.</summary>
public interface IKernelGivenSuperResolver : ISuperResolver
{
    /// <param name="lr">[1, 3, h, w] in [0, 1].</param>
    /// <param name="scale">The factor s.</param>
    /// <param name="trueKernel">[k, k], the kernel of eq. 1 for this LR image (a delta for σ = 0).</param>
    SrResult SuperResolve(Tensor lr, int scale, Tensor trueKernel);
}

/// <summary>Size and cost of a method, printed next to its row: trainable parameters and FLOPs of one forward pass per
/// LR pixel (<see cref="Model.ModelCost"/>).</summary>
public sealed record MethodCost(long Parameters, double FlopsPerLrPixel);

/// <summary>A super-resolver that knows its <see cref="MethodCost"/>.</summary>
public interface ICostedSuperResolver : ISuperResolver
{
    MethodCost Cost { get; }
}
