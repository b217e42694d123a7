using KbSr.Model;
using KbSr.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace KbSr.Training;

/// <summary>One optimisation step of eq. 3 on one batch, inside its own dispose scope (docs/design.md §3.6) and holding the
/// <see cref="FinalizerGate"/>: nothing it creates outlives it except the parameters' gradients and the optimiser's
/// state, and no finalizer can free a wrapper that libtorch is still reading during it.</summary>
public static class TrainingStep
{
    /// <summary>zero_grad → forward (<see cref="KbSrNet.Run"/>) → eq. 3 → backward → optimiser step. Returns the
    /// loss terms' values (see <see cref="KbSrLossTerms.Values"/>).</summary>
    public static IReadOnlyDictionary<string, double> Run(KbSrNet network, KbSrLoss loss, optim.Optimizer optimizer,
                                                          Tensor hr, Tensor lr, Tensor kernel)
    {
        using var gate = FinalizerGate.Enter();
        return RunUnguarded(network, loss, optimizer, hr, lr, kernel);
    }

    /// <summary>The same step without the <see cref="FinalizerGate"/>: only for showing the race it closes
    /// (<c>kbsr runtime --gc-stress --unguarded</c>).</summary>
    public static IReadOnlyDictionary<string, double> RunUnguarded(KbSrNet network, KbSrLoss loss, optim.Optimizer optimizer,
                                                                   Tensor hr, Tensor lr, Tensor kernel)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(optimizer);
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        using var output = network.Run(lr);
        using var terms = loss.Compute(output, hr, lr, kernel);
        terms.Total.backward();
        optimizer.step();
        return terms.Values();
    }
}
