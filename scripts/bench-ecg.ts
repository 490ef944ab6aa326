/**
 * Throughput of the ECG generator and the R-wave detector at the engine's 500 Hz.
 * Usage: node scripts/bench-ecg.ts [seconds of simulated signal, default 3600]
 */
import { createRDetector } from '../sim/detect/index.ts';
import { createEcgGenerator, type EcgDef } from '../sim/ecg/index.ts';
import { createRng } from '../sim/rng.ts';

const SAMPLE_RATE_HZ = 500;
const simulatedS = Number(process.argv[2] ?? 3600);
const sampleCount = Math.round(simulatedS * SAMPLE_RATE_HZ);

const scenarios: Record<string, EcgDef> = {
  'clean sinus 70 bpm': { rhythm: { heartRateBpm: 70 } },
  'noisy sinus + ectopy': {
    rhythm: { heartRateBpm: 80, pacPerMinute: 3, pvcPerMinute: 6 },
    artefacts: { baselineWanderMv: 0.3, muscleNoiseMv: 0.05, mainsHumMv: 0.1, electrodeMotionPerMinute: 2 },
  },
  'AF 100 bpm': { rhythm: { heartRateBpm: 100, atrialFibrillation: true } },
};

function samplesPerSecond(count: number, elapsedMs: number): string {
  return `${(((count / elapsedMs) * 1000) / 1e6).toFixed(2)} M samples/s (${((elapsedMs * 1000) / count).toFixed(3)} us/sample)`;
}

for (const [name, def] of Object.entries(scenarios)) {
  const signal = new Float64Array(sampleCount);
  // Warm-up so the JIT has compiled both hot paths.
  const warmGenerator = createEcgGenerator(def, createRng(2), SAMPLE_RATE_HZ);
  const warmDetector = createRDetector(SAMPLE_RATE_HZ);
  for (let i = 0; i < 60 * SAMPLE_RATE_HZ; i++) warmDetector.push(warmGenerator.nextSample());

  const generator = createEcgGenerator(def, createRng(1), SAMPLE_RATE_HZ);
  let beats = 0;
  let t0 = performance.now();
  for (let i = 0; i < sampleCount; i++) {
    signal[i] = generator.nextSample();
    if (generator.takeBeat() !== null) beats++;
  }
  const generatorMs = performance.now() - t0;

  const detector = createRDetector(SAMPLE_RATE_HZ);
  let detections = 0;
  t0 = performance.now();
  for (let i = 0; i < sampleCount; i++) if (detector.push(signal[i] as number)) detections++;
  const detectorMs = performance.now() - t0;

  const combinedMs = generatorMs + detectorMs;
  console.log(`${name}: ${simulatedS} s simulated, ${beats} beats, ${detections} detections`);
  console.log(`  generator ${samplesPerSecond(sampleCount, generatorMs)}`);
  console.log(`  detector  ${samplesPerSecond(sampleCount, detectorMs)}`);
  console.log(
    `  combined  ${samplesPerSecond(sampleCount, combinedMs)}, ${(simulatedS / (combinedMs / 1000)).toFixed(0)}x real time`,
  );
}
