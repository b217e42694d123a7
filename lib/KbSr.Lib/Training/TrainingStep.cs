using KbSr.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace KbSr.Training;

/// <summary>One optimisation step of eq. 3 on one batch, inside its own dispose scope (style.md §4): nothing it
/// creates outlives it except the parameters' gradients and the optimiser's state.</summary>
public static class TrainingStep
{
    /// <summary>zero_grad → forward (<see cref="KbSrNet.Run"/>) → eq. 3 → backward → optimiser step. Returns the
    /// loss terms' values (see <see cref="KbSrLossTerms.Values"/>).</summary>
    public static IReadOnlyDictionary<string, double> Run(KbSrNet network, KbSrLoss loss, optim.Optimizer optimizer,
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
