// The pumping guard (src/fraud) imports PrefixTraffic from here; once it imports prefix-traffic.repository.ts, this file goes.
export { PrefixTraffic } from './prefix-traffic.repository';
