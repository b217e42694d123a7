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
            var target = network.Module();
            var targetNames = target.named_parameters().Select(p => p.name).Concat(target.named_buffers().Select(b => b.name))
                                    .Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToHashSet();
            if (targetNames.Count == 0)
                throw new ArgumentException($"initModules: {network.Config.Model} has no module '{module}' (its modules: " +
                    string.Join(", ", target.named_parameters().Select(p => p.name.Split('.')[0]).Distinct()) + ")");
            var donorTensors = donor.Module().named_parameters().Select(p => (p.name, value: (Tensor)p.parameter))
                                    .Concat(donor.Module().named_buffers().Select(b => (b.name, value: b.buffer))).ToList();
            if (donorTensors.Any(t => t.name.StartsWith(prefix, StringComparison.Ordinal)))   // a network that has the module
                donorTensors = donorTensors.Where(t => t.name.StartsWith(prefix, StringComparison.Ordinal))
                                           .Select(t => (t.name[prefix.Length..], t.value)).ToList();
            var donorNames = donorTensors.Select(t => prefix + t.name).ToHashSet();
            if (!donorNames.SetEquals(targetNames))
                throw new ArgumentException($"initModules: {weights} ({checkpoint.Config.Model}) does not fit module '{module}' of {network.Config.Model}: " +
                    $"{targetNames.Except(donorNames).Count()} tensors missing, {donorNames.Except(targetNames).Count()} extra");
            using (no_grad())
                foreach (var (name, value) in donorTensors)
                {
                    var into = TensorNamed(target, prefix + name);
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

    private static Tensor TensorNamed(nn.Module module, string name) =>
        (Tensor?)module.named_parameters().FirstOrDefault(p => p.name == name).parameter
        ?? module.named_buffers().First(b => b.name == name).buffer;
}
