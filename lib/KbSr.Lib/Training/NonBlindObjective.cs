using KbSr.Degradation;
using KbSr.Evaluation;
using KbSr.Inference;
using KbSr.Model;
using KbSr.Model.Baselines;
using static TorchSharp.torch;

namespace KbSr.Training;

/// <summary>The non-blind networks' objective (docs/method.md §7): the network is given the true kernels' codes (in the
/// stored PCA) and its SR is compared with the HR patch by the pixel loss of its paper (<see cref="ModelEntry.Loss"/>).
/// Only the joint schedule applies.</summary>
public sealed class NonBlindObjective(INonBlindNetwork net, KernelPca pca, PixelLoss pixelLoss) : ITrainingObjective
{
    public IReadOnlyList<TorchSharp.Modules.Parameter> Trainable { get; } = net.Module().parameters().ToList();

    public ISuperResolver Validator { get; } = new NonBlindSuperResolver(net, pca, "validation");

    public ObjectiveTerms Compute(SyntheticBatch batch, TrainingPhase phase)
    {
        if (phase != TrainingPhase.Joint)
            throw new ArgumentException($"{net.Config.Model} is non-blind and trains with the true kernels in one phase: use schedule joint, not {phase}");
        using var scope = NewDisposeScope();
        var sr = net.call(batch.Lr, pca.Encode(batch.Kernels));
        var total = Pixel(sr, batch.Hr, pixelLoss);
        double value = total.detach().item<float>();
        return new ObjectiveTerms(total.MoveToOuterDisposeScope(), new Dictionary<string, double> { ["total"] = value, ["sr"] = value });
    }

    /// <summary>Mean absolute (L1) or squared (L2) error.</summary>
    public static Tensor Pixel(Tensor sr, Tensor hr, PixelLoss loss) =>
        loss == PixelLoss.L1 ? nn.functional.l1_loss(sr, hr) : nn.functional.mse_loss(sr, hr);
}
