export function listSampleEvents() { return []; } export function sampleEvent() { return undefined; }
