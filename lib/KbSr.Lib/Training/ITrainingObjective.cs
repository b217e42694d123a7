using KbSr.Evaluation;
using static TorchSharp.torch;

namespace KbSr.Training;

/// <summary>One evaluation of a training loss: <see cref="Total"/> (a scalar to call backward on; the caller owns it)
/// and each term's value for the logs.</summary>
public sealed record ObjectiveTerms(Tensor Total, IReadOnlyDictionary<string, double> Values) : IDisposable
{
    public void Dispose() => Total.Dispose();
}

/// <summary>
/// How a family of networks learns from a synthetic batch (BasicSR's "model" next to its "arch"): which parameters the
/// run trains, the loss of one batch in a given <see cref="TrainingPhase"/>, and the super-resolver validation measures.
/// Made by <see cref="TrainingObjectives.For"/> from the network's type, so the trainer has no per-network cases.
/// </summary>
public interface ITrainingObjective
{
    /// <summary>The parameters this run's optimiser updates (IKC's phases train parts of the network).</summary>
    IReadOnlyList<TorchSharp.Modules.Parameter> Trainable { get; }

    /// <summary>The loss of <paramref name="batch"/> (forward pass included), with its graph.</summary>
    ObjectiveTerms Compute(SyntheticBatch batch, TrainingPhase phase);

    /// <summary>What validation evaluates (non-blind networks: given the true kernel).</summary>
    ISuperResolver Validator { get; }
}

/// <summary>An objective that makes several optimiser updates from one batch (IKC's Corrector: one per correction, as
/// IKC's script does); the trainer then calls <see cref="Step"/> instead of one backward and one update.</summary>
public interface ISelfSteppingObjective : ITrainingObjective
{
    /// <summary>True when the objective steps itself in <paramref name="phase"/>.</summary>
    bool StepsItself(TrainingPhase phase);

    /// <summary>All of this batch's updates (each: zero_grad, backward, gradient clipping when
    /// <paramref name="gradClip"/> &gt; 0, step); returns the logged values, "total" among them. A non-finite loss
    /// stops before its update, and its value is returned as "total".</summary>
    IReadOnlyDictionary<string, double> Step(SyntheticBatch batch, TrainingPhase phase, optim.Optimizer optimizer, double gradClip);
}
