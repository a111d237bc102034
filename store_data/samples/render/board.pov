#version 3.7;
// Bamboo cutting board with juice groove and hang hole.
#include "studio.inc"

#declare L = 38; #declare W = 26; #declare T = 1.8;
// rounded rectangle in plan (x,z), extruded from Y1 to Y2
#macro RRect(X1, Z1, X2, Z2, R, Y1, Y2)
  union {
    box { <X1+R, Y1, Z1>, <X2-R, Y2, Z2> }
    box { <X1, Y1, Z1+R>, <X2, Y2, Z2-R> }
    cylinder { <X1+R, Y1, Z1+R>, <X1+R, Y2, Z1+R>, R }
    cylinder { <X2-R, Y1, Z1+R>, <X2-R, Y2, Z1+R>, R }
    cylinder { <X1+R, Y1, Z2-R>, <X1+R, Y2, Z2-R>, R }
    cylinder { <X2-R, Y1, Z2-R>, <X2-R, Y2, Z2-R>, R }
  }
#end
#declare Groove_Outer = RRect(-L/2+1.4, -W/2+1.4, L/2-1.4, W/2-1.4, 2.2, T-0.35, T+1)
#declare Groove_Inner = RRect(-L/2+2.0, -W/2+2.0, L/2-2.0, W/2-2.0, 1.6, T-0.5, T+1.2)

#declare Board = difference {
  object { Round_Box(<-L/2, 0, -W/2>, <L/2, T, W/2>, 0.45, 0) }
  difference { object { Groove_Outer } object { Groove_Inner } }
  // hang hole near the short edge
  cylinder { <L/2-3.4, -1, 0>, <L/2-3.4, T+1, 0>, 1.0 }
  texture { Bamboo_Tex scale <1.1, 1, 1> rotate y*90 }
}

object { Board rotate y*-12 }
Shoot(<1.5, 0.9, 0>, 46, 40, 0)
Flags(60)
