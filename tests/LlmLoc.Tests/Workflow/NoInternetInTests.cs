using System.Runtime.CompilerServices;

namespace LlmLoc.Tests.Workflow;

/// <summary>
/// Turns llmloc's automatic stimuli download off for the whole test process (and the processes tests start), so a
/// test that points localize at a missing stimuli folder never reaches the internet. Auto-fetch tests inject their
/// own <see cref="LlmLoc.Stimuli.Download.StimuliAutoFetch"/> aimed at 127.0.0.1.
/// </summary>
static class NoInternetInTests
{
    [ModuleInitializer]
    internal static void DisableStimuliDownload() =>
        Environment.SetEnvironmentVariable(LlmLoc.Downloads.DownloadSettings.DisableVariable, "1");
}
