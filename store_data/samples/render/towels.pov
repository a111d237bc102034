#version 3.7;
// Cotton towel set (bath towel, hand towel, face cloth), folded and stacked, sage.
#include "studio.inc"

#declare Sage = SRGB(<0.62, 0.70, 0.60>);
#declare Terry = texture {
  pigment { bozo color_map { [0 rgb Sage] [1 rgb Sage*0.94] } scale 0.5 }
  normal { granite 0.35 scale 0.6 }
  finish { diffuse 0.9 ambient 0 specular 0.0 }
}
#declare Band = texture {   // flat-woven border band
  pigment { gradient x color_map { [0 rgb Sage*0.78] [0.5 rgb Sage*0.86] [1 rgb Sage*0.78] } scale 0.35 }
  normal { gradient x 0.2 scale 0.35 }
  finish { diffuse 0.9 ambient 0 specular 0.03 }
}
// a folded towel (two soft layers) with a border band across it at X = L/2 - 5
#macro Folded(L, D, H)
  union {
    object { Round_Box(<-L/2, 0, -D/2>, <L/2, H/2 + 0.15, D/2>, H/4, 1) }
    object { Round_Box(<-L/2 + 0.2, H/2 - 0.15, -D/2 + 0.1>, <L/2 - 0.2, H, D/2 - 0.1>, H/4, 1) }
    texture {
      gradient x
      texture_map { [0 Terry] [0.80 Terry] [0.80 Band] [0.86 Band] [0.86 Terry] [1 Terry] }
      scale L translate x*-L/2
    }
  }
#end

union {
  object { Folded(34, 24, 6.0) }
  object { Folded(27, 19, 4.4) translate <0.5, 5.95, -0.8> }
  object { Folded(17, 13, 2.6) translate <-0.2, 10.3, -1.3> rotate y*-4 }
  rotate y*-15
}
Shoot(<1.5, 6.5, 0>, 44, 22, 0)
Flags(60)
