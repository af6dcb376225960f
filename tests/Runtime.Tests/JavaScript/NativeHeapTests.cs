using Granary.Runtime.JavaScript;

namespace Granary.Runtime.Tests.JavaScript;

/// <summary>A V8 runtime's teardown gives the C heap's free pages back to the OS (<see cref="NativeHeap"/>).</summary>
public sealed class NativeHeapTests
{
    [Fact]
    public async Task ARuntimesTeardownIsFollowedByATrimOfTheCHeap()
    {
        var before = NativeHeap.Trims;
        var isolate = await V8Isolate.StartAsync(new IsolateSettings(64, TimeSpan.FromSeconds(1)));

        isolate.Dispose();

        var until = DateTime.UtcNow + NativeHeap.MinInterval + TimeSpan.FromSeconds(30);
        while (NativeHeap.Trims == before && DateTime.UtcNow < until)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.True(NativeHeap.Trims > before, "no trim of the C heap ran within a minute of a V8 runtime's teardown");
    }
}
