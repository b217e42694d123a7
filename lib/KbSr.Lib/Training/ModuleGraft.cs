using KbSr.Degradation;
using KbSr.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace KbSr.Training;

/// <summary>
/// Replaces one top-level module of a network by a separately trained network of the same shape: IKC's recipe trains
/// SFTMD first and then its kernel networks around it (Gu et al. 2019, §4), so IKC can be given the very SFTMD that is
/// a row of its own in Table 1 (<see cref="TrainOptions.InitModules"/>).
/// </summary>
public static class ModuleGraft
{
    /// <summary>Copies into the module <paramref name="module"/> of <paramref name="network"/> every parameter and
    /// buffer of the network in <paramref name="weights"/>: either a network of the module's own shape (SFTMD for
    /// IKC's "sftmd"), or one that has a module of that name (another IKC for its "predictor"). Names and shapes must
    /// match one to one. A code means a kernel only through the kernel PCA, so the PCA stored with the weights is
    /// compared with the run's <paramref name="pca"/>: another basis is refused; fits of the same distribution from
    /// other seeds (same directions, a slightly different mean) are accepted and the difference is returned in words,
    /// for the run's log (the grafted module should then be trained on).</summary>
    public static (int Tensors, string Note) Apply(ISrNetwork network, string module, string weights, KernelPca pca)
    {
        using var checkpoint = Checkpoint.Read(weights);
        string note = checkpoint.Pca is { } stored ? ComparePca(stored, pca, weights, module) : "no kernel PCA stored with it";
        var donor = checkpoint.CreateModel();
        try
        {
            string prefix = module + ".";
            var target = Tensors(network.Module()).Where(t => t.Name.StartsWith(prefix, StringComparison.Ordinal))
                                                  .ToDictionary(t => t.Name, t => t.Value, StringComparer.Ordinal);
            if (target.Count == 0)
                throw new ArgumentException($"initModules: {network.Config.Model} has no module '{module}' (its modules: " +
                    string.Join(", ", network.Module().named_parameters().Select(p => p.name.Split('.')[0]).Distinct()) + ")");
            var donorTensors = Tensors(donor.Module());
            if (donorTensors.Any(t => t.Name.StartsWith(prefix, StringComparison.Ordinal)))   // a network that has the module
                donorTensors = donorTensors.Where(t => t.Name.StartsWith(prefix, StringComparison.Ordinal))
                                           .Select(t => (t.Name[prefix.Length..], t.Value)).ToList();
            var donorNames = donorTensors.Select(t => prefix + t.Name).ToHashSet();
            if (!donorNames.SetEquals(target.Keys))
                throw new ArgumentException($"initModules: {weights} ({checkpoint.Config.Model}) does not fit module '{module}' of {network.Config.Model}: " +
                    $"{target.Keys.Except(donorNames).Count()} tensors missing, {donorNames.Except(target.Keys).Count()} extra");
            using (no_grad())
                foreach (var (name, value) in donorTensors)
                {
                    var into = target[prefix + name];
                    if (!into.shape.SequenceEqual(value.shape))
                        throw new ArgumentException($"initModules: {prefix + name} is [{string.Join(", ", into.shape)}] in {network.Config.Model}, [{string.Join(", ", value.shape)}] in {weights}");
                    into.copy_(value);
                }
            return (donorTensors.Count, note);
        }
        finally
        {
            donor.Module().Dispose();
        }
    }

    /// <summary>Least cosine between matching components that still counts as the same basis.</summary>
    public const double SameDirection = 0.99;

    private static string ComparePca(KernelPca stored, KernelPca run, string weights, string module)
    {
        if (stored.Dims != run.Dims || stored.KernelSize != run.KernelSize)
            throw new ArgumentException($"initModules: {weights} has a {stored.Dims}-dim kernel PCA of {stored.KernelSize}×{stored.KernelSize} kernels; this run's has {run.Dims} dims of {run.KernelSize}×{run.KernelSize}");
        using var scope = NewDisposeScope();
        double cosine = (stored.Components * run.Components).sum(1).min().item<float>();
        if (cosine < SameDirection)
            throw new ArgumentException($"initModules: {weights} was trained with another kernel PCA (matching components' cosine {cosine:F3} < {SameDirection}); its codes would mean other kernels in {module}");
        double meanGap = (stored.Mean - run.Mean).abs().sum().item<float>();
        return meanGap == 0 && cosine > 1 - 1e-6 ? "the same kernel PCA as this run's"
            : $"kernel PCA fitted apart from this run's: Σ|Δ mean kernel| = {meanGap:F4}, least component cosine {cosine:F5}";
    }

    /// <summary>Every parameter and buffer of <paramref name="module"/>, by name.</summary>
    private static List<(string Name, Tensor Value)> Tensors(nn.Module module) =>
        module.named_parameters().Select(p => (p.name, (Tensor)p.parameter))
              .Concat(module.named_buffers().Select(b => (b.name, b.buffer))).ToList();
}
