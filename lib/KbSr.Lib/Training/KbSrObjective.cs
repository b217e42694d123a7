using KbSr.Evaluation;
using KbSr.Inference;
using KbSr.Model;
using static TorchSharp.torch;

namespace KbSr.Training;

/// <summary>KB-SR's objective: eq. 3 (<see cref="KbSrLoss"/>) on <see cref="KbSrNet.Run"/>, in the joint schedule or
/// §5.3's staged one (true kernels for the SR phase, true HR for the estimator phase).</summary>
public sealed class KbSrObjective(KbSrNet net, KbSrLoss loss) : ITrainingObjective
{
    public IReadOnlyList<TorchSharp.Modules.Parameter> Trainable { get; } = net.parameters().ToList();

    public ISuperResolver Validator { get; } = new KbSrSuperResolver(net);

    public ObjectiveTerms Compute(SyntheticBatch batch, TrainingPhase phase)
    {
        var overrides = phase switch
        {
            TrainingPhase.Joint => null,
            TrainingPhase.SrWithTrueKernels => KbSrOverrides.WithKernel(batch.Kernels),
            TrainingPhase.EstimatorWithTrueHr => new KbSrOverrides(TrueHr: batch.Hr),
            _ => throw new ArgumentException($"KB-SR does not train in phase {phase}: use schedule joint or staged"),
        };
        using var scope = NewDisposeScope();
        using var output = net.Run(batch.Lr, overrides);
        var terms = loss.Compute(output, batch.Hr, batch.Lr, batch.Kernels, phase);
        return new ObjectiveTerms(terms.Total.MoveToOuterDisposeScope(), terms.Values());
    }
}
