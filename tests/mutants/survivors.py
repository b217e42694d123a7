#!/usr/bin/env python3
"""Applies each of six mutants that once survived the tests (or were caught only by slow data tests), runs the fast
tests that should catch it, and restores the file. Every line must end in "Failed!". Run from the repository root:
    python3 tests/mutants/survivors.py [NAME ...]
"""
import subprocess, sys, shutil
M = [
 ("signer-empty", "lib/KbSr.Kernel/Protocol/JupyterMessage.cs", "        if (_key.Length == 0) return true;\n        var expected", "        if (_key.Length == 0 || signature.Length == 0) return true;\n        var expected", "tests/KbSr.Kernel.Tests", "FullyQualifiedName~MessageSignerTests"),
 ("allowance-1000x", "lib/KbSr.Lib/Data/DatasetDownloader.cs", "public long ExpansionAllowanceBytes { get; init; } = 64L << 20;", "public long ExpansionAllowanceBytes { get; init; } = (64L << 20) * 1000;", "tests/KbSr.Lib.Tests", "FullyQualifiedName~DatasetDownloaderTests"),
 ("pca-l2", "lib/KbSr.Lib/Training/KbSrLoss.cs", "(_pca.Encode(k) - codeTarget).abs().mean()", "(_pca.Encode(k) - codeTarget).square().mean()", "tests/KbSr.Lib.Tests", "FullyQualifiedName~KbSrLossTests"),
 ("atomic-inplace", "lib/KbSr.Lib/AtomicFile.cs", "            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))\n            {\n                write(stream);\n                stream.Flush(flushToDisk: true);\n            }\n            File.Move(temp, full, overwrite: true);", "            using (var stream = new FileStream(full, FileMode.Create, FileAccess.Write, FileShare.Read))\n            {\n                write(stream);\n                stream.Flush(flushToDisk: true);\n            }", "tests/KbSr.Lib.Tests", "FullyQualifiedName~AtomicFileTests"),
 ("softmax-batch", "lib/KbSr.Lib/Model/KernelEstimator.cs", "return new KernelEstimate(softmax(logits, dim: 1).view(-1, k, k)", "return new KernelEstimate(softmax(logits, dim: 0).view(-1, k, k)", "tests/KbSr.Lib.Tests", "FullyQualifiedName~KbSrNetTests"),
 ("corrector-delta", "lib/KbSr.Lib/Model/Baselines/IkcCorrector.cs", "        return code + delta;", "        return delta;", "tests/KbSr.Lib.Tests", "FullyQualifiedName~IkcTests"),
]
only = sys.argv[1:]
for name, f, old, new, proj, flt in M:
    if only and name not in only: continue
    src = open(f).read()
    assert src.count(old) == 1, name
    open(f, 'w').write(src.replace(old, new))
    try:
        r = subprocess.run(f"cd {proj} && timeout 900 dotnet test -c Release --filter '{flt}' 2>&1 | grep -E 'Passed!|Failed!|error CS' | head -3", shell=True, capture_output=True, text=True)
        print(name, '->', r.stdout.strip(), flush=True)
    finally:
        open(f, 'w').write(src)
