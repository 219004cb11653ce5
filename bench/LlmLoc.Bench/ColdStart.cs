using System.Diagnostics;
using LlmLoc.Models;
using LlmLoc.Stimuli;
using LlmLoc.Tokenization;
using TorchSharp;

/// <summary>
/// What a fresh `llmloc localize` process pays before its first forward, step by step in this (fresh) process:
/// stimuli, tokenizer, torch's native start-up, model load, tokenization. Run it as the first mode of a process.
/// </summary>
static class ColdStart
{
    public static void Run(string sharedRoot)
    {
        string folder = BenchCheckpoint.Ensure(sharedRoot);
        var total = Stopwatch.StartNew();
        var sw = Stopwatch.StartNew();
        var stimuli = LanguageStimuli.Load(Path.Combine(sharedRoot, "stimuli"));
        Console.WriteLine($"stimuli              {sw.Elapsed.TotalMilliseconds,6:F0} ms"); sw.Restart();
        var tokenizer = HfTokenizer.FromFolder(folder);
        Console.WriteLine($"tokenizer            {sw.Elapsed.TotalMilliseconds,6:F0} ms"); sw.Restart();
        HfTokenizer.FromFolder(folder);
        Console.WriteLine($"tokenizer again      {sw.Elapsed.TotalMilliseconds,6:F0} ms (JIT done)"); sw.Restart();
        var vocab = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(Path.Combine(folder, "vocab.json")))!;
        Console.WriteLine($"  vocab json         {sw.Elapsed.TotalMilliseconds,6:F0} ms"); sw.Restart();
        var merges = File.ReadLines(Path.Combine(folder, "merges.txt")).Where(l => l.Length > 0 && !l.StartsWith("#version")).ToList();
        Console.WriteLine($"  merges read        {sw.Elapsed.TotalMilliseconds,6:F0} ms"); sw.Restart();
        Microsoft.ML.Tokenizers.BpeTokenizer.Create(new Microsoft.ML.Tokenizers.BpeOptions(vocab) { Merges = merges, ByteLevel = true });
        Console.WriteLine($"  BpeTokenizer.Create {sw.Elapsed.TotalMilliseconds,5:F0} ms"); sw.Restart();
        using (var t = torch.zeros(1)) { }
        Console.WriteLine($"torch start-up       {sw.Elapsed.TotalMilliseconds,6:F0} ms"); sw.Restart();
        using var model = ModelLoader.Load(folder, new LoadOptions());
        Console.WriteLine($"model load           {sw.Elapsed.TotalMilliseconds,6:F0} ms"); sw.Restart();
        var ids = stimuli.Positive.Concat(stimuli.Negative).Select(s => tokenizer.Encode(s, maxLength: 12)).ToList();
        Console.WriteLine($"tokenize 480         {sw.Elapsed.TotalMilliseconds,6:F0} ms"); sw.Restart();
        Console.WriteLine($"total                {total.Elapsed.TotalMilliseconds,6:F0} ms");
    }
}
